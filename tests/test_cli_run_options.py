"""`assess` and `campaign` share their run options: one definition, one meaning.

Parsed by click itself (no model run), the same arguments must give the same
`RunOptions` and data folder through either command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from redline._cli.assess import assess_command
from redline._cli.campaign import campaign_command
from redline._cli.main import cli
from redline._cli.run_options import RunParams, assessment_options
from redline.evals import RunOptions

SHARED_ARGS = (
    *("--limit", "3", "--seed", "7", "--temperature", "0.5", "--max-tokens", "20"),
    *("--max-connections", "2", "--max-retries", "1", "--no-sequential"),
    *("--display", "none"),
)
CAMPAIGN_REQUIRED = ("--model", "redline/local", "--framework", "redline-reference")


def _run_params(command: click.Command, args: list[str]) -> RunParams:
    """The shared options' values, as click passes them to the command."""
    with command.make_context(command.name or "", args) as ctx:
        shared = RunParams.__annotations__
        params = {k: v for k, v in ctx.params.items() if k in shared}
        return params  # type: ignore[return-value]


def test_the_same_arguments_mean_the_same_run_through_either_command(
    tmp_path: Path,
) -> None:
    data = ("--data-dir", str(tmp_path))
    via_assess = assessment_options(_run_params(assess_command, [*SHARED_ARGS, *data]))
    via_campaign = assessment_options(
        _run_params(campaign_command, [*CAMPAIGN_REQUIRED, *SHARED_ARGS, *data])
    )

    expected = RunOptions(
        limit=3,
        seed=7,
        temperature=0.5,
        max_tokens=20,
        max_connections=2,
        max_retries=1,
        sequential=False,
        display="none",
    )
    assert via_assess.run == expected
    assert via_campaign.run == expected
    assert via_assess.data_dir == via_campaign.data_dir == tmp_path


def test_assess_only_options_reach_its_run_options() -> None:
    params = _run_params(
        assess_command,
        [
            *("--model", "openai/gpt-4o-mini", "--model-base-url", "http://x/v1"),
            *("-T", "over_refusal.source=redline", "--epochs", "2"),
            *("--timeout", "30", "--attempt-timeout", "10", "--budget-samples", "5"),
            *("--budget-tokens", "100", "--budget-cost", "0.5", "--sandbox", "local"),
            *("--judge", "openai/gpt-4o", "--judge-validation", "90/100,85/100"),
        ],
    )
    run = assessment_options(params).run

    assert run.model == "openai/gpt-4o-mini"
    assert run.model_base_url == "http://x/v1"
    assert run.task_args == (("over_refusal", (("source", "redline"),)),)
    assert (run.epochs, run.timeout, run.attempt_timeout) == (2, 30, 10)
    assert (run.budget.samples, run.budget.tokens, run.budget.cost) == (5, 100, 0.5)
    assert (run.sandbox, run.judge, run.judge_validation) == (
        "local",
        "openai/gpt-4o",
        "90/100,85/100",
    )


def test_options_both_take_are_defined_alike() -> None:
    def definitions(command: click.Command) -> dict[str, tuple[Any, ...]]:
        return {
            p.name or "": (
                tuple(p.opts),
                tuple(p.secondary_opts),
                repr(p.type),
                p.default,
                p.multiple,
                p.required,
            )
            for p in command.params
        }

    assess, campaign = definitions(assess_command), definitions(campaign_command)
    shared = set(assess) & set(campaign) - {"framework", "out", "as_json"}
    assert {"limit", "seed", "max_connections", "display", "ray_address"} <= shared
    for name in shared:
        assert assess[name] == campaign[name], name


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--limit", "0"], "--limit"),
        (["--max-retries", "-1"], "--max-retries"),
        (["--temperature", "-0.5"], "--temperature"),
        (["--display", "fancy"], "--display"),
    ],
)
def test_a_bad_value_is_refused_alike_by_both(args: list[str], expected: str) -> None:
    for command in (["assess"], ["campaign", *CAMPAIGN_REQUIRED]):
        result = CliRunner().invoke(cli, [*command, *args])
        assert result.exit_code == 2, (command, result.output)
        assert expected in result.output
        assert "Traceback" not in result.output


def test_plan_create_checks_the_judge_validation_assess_would_refuse(
    tmp_path: Path,
) -> None:
    plan = tmp_path / "plan.json"
    for command in (
        ["plan", "create", "--model", "redline/local", "-o", str(plan)],
        ["assess", "--out", str(tmp_path / "run")],
    ):
        result = CliRunner().invoke(
            cli, [*command, "--judge-validation", "95/100,90/100"]
        )
        assert result.exit_code == 2, (command, result.output)
        assert "--judge-validation needs --judge" in result.output
    assert not plan.exists()
    assert not (tmp_path / "run").exists()
