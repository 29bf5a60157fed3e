"""Rules that bind any Inspect task: resolved and checked before any model is called.

Each bad framework is one clear line naming file, line and field, exit code 2, and
nothing is written to the run folder. No test here calls a model.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai.scorer import Score

from evidence.helpers import (
    ARITHMETIC_RULE,
    FACTS_RULE,
    XSTEST_RULE,
    framework_text,
    redline,
    user_task_ref,
)
from redline._cli.main import cli
from redline.assess import build_plan
from redline.errors import ConfigError, FrameworkError
from redline.evals import OutcomeReader
from redline.frameworks import EvidenceRule, load_framework


def write(tmp_path: Path, *rules: str) -> Path:
    path = tmp_path / "framework.yaml"
    path.write_text(framework_text(*rules))
    return path


def assert_refused(tmp_path: Path, framework: Path, *fragments: str) -> None:
    """`assess` and `framework validate` both refuse it cleanly, before any model call."""
    out = tmp_path / "run"
    for args in (
        ("framework", "validate", str(framework)),
        ("assess", "--framework", str(framework), "--out", str(out)),
    ):
        result = CliRunner().invoke(cli, list(args))
        message = " ".join(result.stderr.split())
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert message.startswith("Error:"), message
        for fragment in fragments:
            assert fragment in message, message
    assert not out.exists()


def test_a_bad_binding_is_refused_before_any_model_is_loaded(tmp_path: Path) -> None:
    framework = write(
        tmp_path, ARITHMETIC_RULE.replace("{max_tokens: 6}", "{colour: red}")
    )
    out = tmp_path / "run"
    result = redline(
        "assess", "--framework", str(framework), "--out", str(out), no_model=True
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "takes no argument 'colour'" in result.stderr
    assert not out.exists()


def test_a_file_task_function_that_is_missing(tmp_path: Path) -> None:
    ref = user_task_ref(tmp_path, "no_such_task")
    framework = write(tmp_path, FACTS_RULE.format(ref=ref))
    assert_refused(
        tmp_path,
        framework,
        f"{framework}:12: field 'thresholds.0.rules.0.task'",
        "defines no @task named 'no_such_task' (it defines: everyday_facts)",
    )


def test_a_task_file_that_does_not_exist(tmp_path: Path) -> None:
    framework = write(tmp_path, FACTS_RULE.format(ref="nowhere/tasks.py@facts"))
    assert_refused(
        tmp_path, framework, "field 'thresholds.0.rules.0.task'", "does not exist"
    )


def test_an_unknown_registry_task(tmp_path: Path) -> None:
    rule = ARITHMETIC_RULE.replace(
        "redline_test_tasks/arithmetic_checks", "inspect_evals/no_such_eval"
    )
    assert_refused(
        tmp_path,
        write(tmp_path, rule),
        "unknown task 'inspect_evals/no_such_eval'",
        "pip install 'redline[inspect-evals]'",
    )


def test_args_the_task_does_not_take(tmp_path: Path) -> None:
    rule = ARITHMETIC_RULE.replace("{max_tokens: 6}", "{max_tokens: 6, colour: red}")
    assert_refused(
        tmp_path,
        write(tmp_path, rule),
        "field 'thresholds.0.rules.0.args.colour'",
        "task redline_test_tasks/arithmetic_checks takes no argument 'colour' "
        "(it takes: max_tokens)",
    )


def test_args_a_built_in_suite_does_not_take(tmp_path: Path) -> None:
    rule = XSTEST_RULE.replace("source: xstest", "origin: xstest").replace(
        "${REDLINE_DATA}", str(tmp_path)
    )
    assert_refused(
        tmp_path,
        write(tmp_path, rule),
        "args.origin",
        "takes no argument 'origin'",
    )


def test_an_unset_variable_names_its_field(tmp_path: Path) -> None:
    framework = write(tmp_path, XSTEST_RULE)
    assert_refused(
        tmp_path,
        framework,
        f"{framework}:13: field 'thresholds.0.rules.0.args.dataset_path'",
        "${REDLINE_DATA} is not set (set it in the environment or pass --data-dir)",
    )


def test_variables_expand_from_data_dir_before_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    framework = write(tmp_path, XSTEST_RULE)
    monkeypatch.setenv("REDLINE_DATA", "/from/the/environment")
    (from_env,) = build_plan(framework)
    assert from_env.run is not None
    assert from_env.run.args["dataset_path"].startswith("/from/the/environment/")
    (from_flag,) = build_plan(framework, tmp_path / "data")
    assert from_flag.run is not None
    assert from_flag.run.args["dataset_path"] == str(
        tmp_path / "data" / "xstest" / "xstest_prompts.csv"
    )


def test_a_rule_names_one_evidence_source(tmp_path: Path) -> None:
    rule = ARITHMETIC_RULE + "\nsuite: over_refusal"
    with pytest.raises(FrameworkError, match="exactly one of `suite`"):
        load_framework(write(tmp_path, rule))


def test_no_answer_cannot_be_mapped_to_an_outcome(tmp_path: Path) -> None:
    rule = ARITHMETIC_RULE + "\nvalues: {C: 1, I: 0, N: 0}"
    with pytest.raises(FrameworkError, match="'N' means no answer and is always"):
        load_framework(write(tmp_path, rule))


def test_rules_binding_one_task_differently_read_different_evidence(
    tmp_path: Path,
) -> None:
    plain = EvidenceRule(
        suite="over_refusal", metric="compliance_rate", comparator="<", cutoff=0.5
    )
    public = plain.model_copy(update={"args": {"source": "xstest"}})
    assert plain.binding == "over_refusal"
    assert public.binding.startswith("over_refusal#")
    # Rules written before tasks could be bound keep their serialised form.
    assert "task" not in plain.model_dump()
    assert "args" not in plain.model_dump()
    assert public.model_dump()["args"] == {"source": "xstest"}


def test_the_reference_framework_keeps_its_content_hash() -> None:
    # Its hash before rules could bind tasks: reports and resumable runs refer to
    # frameworks by it, so the new rule fields must not change old frameworks.
    assert load_framework("redline-reference").content_hash == (
        "sha256:a8c51d67e919abbabebb4fd297f91af3b8b2107fa552628ef9f86adcd390d319"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pass", (1.0, None)),
        ("fail", (0.0, None)),
        (0.25, (0.25, None)),
        (True, (1.0, None)),
        ("N", (None, "no answer (N)")),
        (math.nan, (None, "unscored (NaN)")),
    ],
)
def test_values_become_outcomes_or_unscored(
    value: object, expected: tuple[object, object]
) -> None:
    reader = OutcomeReader(task="t", values={"pass": 1.0, "fail": 0.0})
    assert reader.read("s-1", {"grade": Score(value=value)}) == expected  # type: ignore[arg-type]


def test_a_value_the_mapping_misses_names_task_sample_and_value() -> None:
    reader = OutcomeReader(task="my_task", scorer="grade", values={"pass": 1.0})
    with pytest.raises(ConfigError) as caught:
        reader.read("fact-3", {"grade": Score(value="fail")})
    assert str(caught.value).startswith(
        "task my_task: sample fact-3: scorer grade value 'fail' is not covered"
    )
    with pytest.raises(ConfigError, match=r"value 3 \(outside \[0, 1\]\)"):
        reader.read("fact-4", {"grade": Score(value=3)})
    assert reader.read("fact-5", {"other": Score(value="pass")}) == (
        None,
        "not scored by grade",
    )


def test_redline_public_names_each_missing_file_and_its_hub_id(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["framework", "validate", "redline-public", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    missing = [line for line in result.stdout.splitlines() if "missing" in line]
    assert (
        len(missing) == 8
    )  # StrongREJECT, HarmBench, XSTest, WMDP x3, TruthfulQA, BBQ
    wmdp = next(line for line in missing if "wmdp/bio.json" in line)
    assert f"{tmp_path}/wmdp/bio.json does not exist" in wmdp
    # The revision inspect_evals 0.26.0 pins (inspect_evals/wmdp/wmdp.py).
    assert "cais/wmdp@7125571f22f032c56415e7980f48d877dd830ff8:wmdp-bio" in wmdp
    assert "field 'thresholds.2.rules.0.args.dataset_path'" in wmdp


def test_one_entry_of_a_dict_valued_scorer() -> None:
    scores = {"threat_scorer": Score(value={"utility": "C", "security": "I"})}
    assert OutcomeReader(task="t", scorer="threat_scorer.security").read(
        "s", scores
    ) == (0.0, None)
    assert OutcomeReader(task="t", scorer="threat_scorer.utility").read(
        "s", scores
    ) == (1.0, None)
    with pytest.raises(ConfigError, match="name one with `scorer: <scorer>.<key>`"):
        OutcomeReader(task="t").read("s", scores)
