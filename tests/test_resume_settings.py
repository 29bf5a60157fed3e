"""`redline assess --out DIR` resumes DIR only with the settings its run.json records.

Resuming with another seed, limit or framework would mix two runs' samples in one
report. The real embedded model runs one sample; the refusals happen before any
model is loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpers.frameworks import write_single_threshold_framework
from helpers.plans import make_setup
from redline._cli.main import cli
from redline.reports import load_report


def _assess(*args: str) -> Result:
    return CliRunner().invoke(
        cli, ["assess", "--display", "none", "--no-sequential", *args]
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _logs(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (out / "logs").glob("*.eval")}


def test_a_folder_resumes_with_its_own_settings_and_refuses_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    framework = write_single_threshold_framework(tmp_path / "resume-settings.yaml")
    out = tmp_path / "run"
    settings = ["--framework", str(framework), "--out", str(out), "--limit", "1"]
    first = _assess(*settings, "--seed", "1")
    assert first.exit_code == 0, first.output
    first_framework = load_report(out / "report.json").framework.content_hash
    # As if the run was interrupted after its samples, before its report.
    (out / "report.json").unlink()
    manifest, logs = (out / "run.json").read_text(), _logs(out)
    assert logs

    other_seed = _assess(*settings, "--seed", "2")
    assert other_seed.exit_code == 2, other_seed.output
    assert (
        f"run.json in {out} was made with --seed 1; this run has --seed 2: use a new "
        "--out, or the same settings"
    ) in _one_line(other_seed.output)
    assert "Traceback" not in other_seed.output

    other_limit = _assess(*settings[:-1], "2", "--seed", "1", "--temperature", "0")
    assert other_limit.exit_code == 2
    assert (
        "was made with --limit 1, no --temperature; this run has --limit 2, "
        "--temperature 0.0:"
    ) in _one_line(other_limit.output)
    # Nothing the refused runs saw was touched.
    assert (out / "run.json").read_text() == manifest
    assert _logs(out) == logs
    assert not (out / "report.json").exists()

    resumed = _assess(*settings, "--seed", "1")
    assert resumed.exit_code == 0, resumed.output
    assert f"Resuming run {out}: 1 of 1 samples done" in _one_line(resumed.output)
    assert _logs(out) == logs  # its one sample was not run again
    assert load_report(out / "report.json").run.complete

    # Another framework reads the same samples: logs are evidence about the model.
    framework.write_text(framework.read_text().replace("0.5", "0.6"))
    other_framework = _assess(*settings, "--seed", "1")
    assert other_framework.exit_code == 0, other_framework.output
    assert _logs(out) == logs
    assert load_report(out / "report.json").framework.content_hash != first_framework

    # Reading the folder's logs again writes a report of its own: no run to resume.
    replay = tmp_path / "replay"
    from_logs = _assess(
        "--framework", str(framework), "--from-logs", str(out / "logs"),
        "--out", str(replay),
    )  # fmt: skip
    assert from_logs.exit_code == 0, from_logs.output
    assert load_report(replay / "report.json").run.from_logs


def test_an_unreadable_run_json_is_one_clear_line(tmp_path: Path) -> None:
    framework = write_single_threshold_framework(tmp_path / "broken-manifest.yaml")
    out = tmp_path / "run"
    out.mkdir()
    (out / "run.json").write_text("{half a fi")

    result = _assess("--framework", str(framework), "--out", str(out), "--limit", "1")

    assert result.exit_code == 2
    assert f"{out / 'run.json'}: not a readable run manifest" in _one_line(
        result.output
    )
    assert "Traceback" not in result.output
    assert (out / "run.json").read_text() == "{half a fi"
    assert not (out / "logs").exists()


def test_a_plan_run_resumes_as_recorded_and_a_deviating_rerun_is_refused(
    tmp_path: Path,
) -> None:
    setup = make_setup(tmp_path)
    plan = tmp_path / "plan.json"
    setup.create_plan(plan)
    out = tmp_path / "runs" / "planned"
    setup.assess(plan, out)
    (out / "report.json").unlink()  # interrupted before its report

    setup.assess(plan, out)
    report = load_report(out / "report.json")
    assert report.plan is not None
    assert [d.kind for d in report.plan.deviations] == ["resumed"]

    (out / "report.json").unlink()
    deviating = setup.assess(plan, out, "--seed", "8", "--allow-deviation", ok=False)
    assert deviating.exit_code == 2
    assert (
        f"run.json in {out} was made with --seed 7; this run has --seed 8"
    ) in _one_line(deviating.output)
    assert not (out / "report.json").exists()
