"""`redline assess --plan`: runs the plan, records it, refuses what departs from it.

Runs use the real embedded model on a two-sample task whose grades its records hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.plans import FACTS, PlanSetup, make_setup, run
from redline.plans import read_plan_file


@pytest.fixture
def setup(tmp_path: Path) -> PlanSetup:
    return make_setup(tmp_path)


def _report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_assess_runs_the_plan_and_a_repeat_is_recorded(setup: PlanSetup) -> None:
    plan_file = setup.root / "plan.json"
    setup.create_plan(plan_file)
    signed, checked = read_plan_file(plan_file)
    assert (signed.plan.seed, signed.plan.limit) == (7, 2)
    assert len(signed.plan.tasks) == 1

    first = setup.root / "runs" / "first"
    setup.assess(plan_file, first)
    report = _report(first)
    assert report["plan"]["digest"] == checked.digest
    assert report["plan"]["key_id"] == checked.key_id
    assert report["plan"]["deviations"] == []
    assert report["plan"]["started_at"] >= report["plan"]["created_at"]
    # The plan's seed and limit were run, though none was given on the command line.
    assert (report["run"]["seed"], report["run"]["limit"]) == (7, 2)
    (suite,) = report["suites"]
    assert suite["dataset_digest"] == signed.plan.tasks[0].dataset_digest
    assert suite["elicitation"]["epochs"] == 1

    second = setup.root / "runs" / "second"
    setup.assess(plan_file, second)
    (repeat,) = _report(second)["plan"]["deviations"]
    assert repeat["kind"] == "repeated"
    assert repeat["actual"] == str(first)


def test_a_plan_whose_framework_or_data_changed_is_refused(setup: PlanSetup) -> None:
    plan_file = setup.root / "plan.json"
    setup.create_plan(plan_file)
    out = setup.root / "runs" / "refused"

    setup.set_cutoff(0.6)
    refused = setup.assess(plan_file, out, ok=False)
    assert refused.exit_code == 2
    assert "departs from plan sha256:" in refused.output
    assert "framework plan-test 1" in refused.output
    assert "changed since the plan was signed" in refused.output
    assert "Traceback" not in refused.output
    assert not out.exists()  # refused before anything was written

    setup.set_cutoff(0.5)
    setup.write_facts([*FACTS[:2], ("fact-3", "How many legs has a spider?", "pass")])
    refused = setup.assess(plan_file, out, ok=False)
    assert refused.exit_code == 2
    assert "dataset_digest differs from the plan" in refused.output
    assert not out.exists()


def test_a_deviation_needs_allow_deviation_and_is_recorded(setup: PlanSetup) -> None:
    plan_file = setup.root / "plan.json"
    setup.create_plan(plan_file)
    out = setup.root / "runs" / "deviating"
    refused = setup.assess(plan_file, out, "--seed", "8", ok=False)
    assert refused.exit_code == 2
    assert "seed: planned 7, ran 8" in refused.output
    assert "--allow-deviation" in refused.output

    printed = setup.assess(plan_file, out, "--seed", "8", "--allow-deviation")
    assert "1 deviation(s)" in printed.output
    assert "seed: planned 7, ran 8" in printed.output
    report = _report(out)
    (deviation,) = report["plan"]["deviations"]
    assert (deviation["kind"], deviation["planned"], deviation["actual"]) == (
        "seed",
        7,
        8,
    )
    assert report["run"]["seed"] == 8

    # Signed and verified without a registry, the deviation is flagged: exit 2.
    key = str(setup.key)
    run("report", "sign", str(out / "report.json"), "--key", key)
    flagged = run("report", "verify", str(out / "report.signed.json"), ok=False)
    assert flagged.exit_code == 2
    assert "FLAG: deviation: seed: planned 7, ran 8" in flagged.output
    assert "registration not checked" in flagged.output


def test_bad_plan_files_get_one_clear_line(setup: PlanSetup) -> None:
    not_json = setup.root / "broken.json"
    not_json.write_text("{not json")
    result = setup.assess(not_json, setup.root / "out", ok=False)
    assert result.exit_code == 2
    assert "broken.json:1: not valid JSON" in result.output

    plan_file = setup.root / "plan.json"
    setup.create_plan(plan_file)
    data = json.loads(plan_file.read_text())
    data["plan"]["limit"] = 50
    plan_file.write_text(json.dumps(data))
    result = setup.assess(plan_file, setup.root / "out", ok=False)
    assert result.exit_code == 2
    assert "signature does not match the plan" in result.output
    assert "Traceback" not in result.output
