"""`redline reports list` over `GET /v1/reports`, and sharing messages that say what to do."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _registry_world import BASE, World, make_world
from click.testing import CliRunner, Result

from redline._cli.main import cli
from redline.registry import RegistryClient


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with make_world(f"sqlite:///{tmp_path / 'registry.db'}") as w:

        def open_client(url: str, token: str | None) -> RegistryClient:
            return RegistryClient(BASE, token, transport=w.transport)

        for module in ("reports_list", "publish"):
            monkeypatch.setattr(f"redline._cli.{module}.open_client", open_client)
        monkeypatch.setenv("REDLINE_REGISTRY_URL", BASE)
        yield w


def _run(*args: str, token: str | None = None) -> Result:
    env = {"REDLINE_REGISTRY_TOKEN": token} if token else {}
    return CliRunner().invoke(cli, list(args), env=env)


def test_each_institute_lists_what_it_may_read(
    world: World, report_data: Callable[..., dict[str, Any]]
) -> None:
    public = world.publish("aisi-a", report_data(), "public")
    shared = world.publish("aisi-a", report_data(), "partners", "aisi-b")
    private = world.publish("aisi-a", report_data(), "private")

    def listed(token: str | None, *args: str) -> list[str]:
        result = _run("reports", "list", "--json", *args, token=token)
        assert result.exit_code == 0, result.output
        return [item["id"] for item in json.loads(result.stdout)["items"]]

    assert listed(world.tokens["aisi-a"]) == [private, shared, public]
    assert listed(world.tokens["aisi-b"]) == [shared, public]
    assert listed(world.tokens["aisi-c"]) == [public]
    assert listed(None) == [public]
    assert listed(world.tokens["aisi-b"], "--institute", "aisi-c") == []

    first = _run("reports", "list", "--limit", "1", token=world.tokens["aisi-b"])
    assert first.exit_code == 0, first.output
    assert shared in first.stdout
    assert "1 report(s) on this page." in first.stderr
    assert "More: add --cursor c" in first.stderr
    cursor = first.stderr.split("--cursor ")[1].split()[0]
    second = _run(
        "reports", "list", "--limit", "1", "--cursor", cursor, "--json",
        token=world.tokens["aisi-b"],
    )  # fmt: skip
    assert [i["id"] for i in json.loads(second.stdout)["items"]] == [public]


def test_a_bad_filter_is_a_refusal_with_exit_2(world: World) -> None:
    result = _run(
        "reports", "list", "--institute", "Not A Slug", token=world.tokens["aisi-a"]
    )
    assert result.exit_code == 2, result.output
    assert "422" in result.output
    assert "Traceback" not in result.output


def test_partners_scope_without_partner_names_the_option(
    world: World, tmp_path: Path, golden: dict[str, Any]
) -> None:
    report = tmp_path / "signed.json"
    report.write_text(json.dumps(world.sign("aisi-a", golden)))
    result = _run(
        "publish", str(report), "--scope", "partners", token=world.tokens["aisi-a"]
    )
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert (
        "--scope partners: scope 'partners' needs at least one partner institute"
        in message
    )
    assert "--partner SLUG" in message
    assert "Value error" not in message


def test_exercise_compare_shows_only_the_declared_suites(
    world: World,
    report_data: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def open_client(url: str, token: str | None) -> RegistryClient:
        return RegistryClient(BASE, token, transport=world.transport)

    monkeypatch.setattr("redline._cli.exercise.open_client", open_client)
    token_a, token_b = world.tokens["aisi-a"], world.tokens["aisi-b"]
    created = _run(
        "exercise", "create", "--title", "T", "--model", "redline/local",
        "--framework", "redline-reference", "--suite", "misuse_refusal",
        "--suite", "over_refusal", "--participant", "aisi-a", "--participant", "aisi-b",
        token=token_a,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    exercise_id = created.stdout.split(":")[0]
    for slug, token in (("aisi-a", token_a), ("aisi-b", token_b)):
        report_id = world.publish(slug, report_data(), "network")
        submitted = _run("exercise", "submit", exercise_id, report_id, token=token)
        assert submitted.exit_code == 0, submitted.output
    compared = CliRunner().invoke(
        cli,
        ["exercise", "compare", exercise_id],
        env={"REDLINE_REGISTRY_TOKEN": token_a, "COLUMNS": "200"},
    )
    assert compared.exit_code == 0, compared.output
    suites = {
        line.split("│")[1].strip()
        for line in compared.stdout.splitlines()
        if "A − B" in line
    }
    assert suites == {"misuse_refusal", "over_refusal"}
