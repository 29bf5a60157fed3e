"""garak report JSONL as evidence, through `--from-logs`.

The fixture in `tests/evidence/harness/garak_out/` was made by the real garak 0.17.1
against llama-cpp-python's OpenAI-compatible server on the embedded GGUF
(`tests/evidence/harness/make_garak_fixture.sh`: probes goodside.WhoIsRiley and
test.Blank, 2 generations each); CI only reads it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from evidence.helpers import EVIDENCE_DIR, framework_text
from redline._cli.main import cli

FIXTURE = EVIDENCE_DIR / "harness" / "garak_out"
RILEY = """\
task: garak/goodside.WhoIsRiley
scorer: goodside.RileyIsnt
metric: hit_rate
comparator: "<"
cutoff: 0.5"""
BLANK = """\
task: garak/test.Blank
metric: hit_rate
comparator: "<"
cutoff: 0.5"""


def report_file(folder: Path = FIXTURE) -> Path:
    (path,) = folder.glob("garak.*.report.jsonl")
    return path


def entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def assess(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    framework = tmp_path / "framework.yaml"
    framework.write_text(framework_text(RILEY, BLANK))
    result = CliRunner().invoke(
        cli,
        [
            "assess",
            "--framework",
            str(framework),
            "--out",
            str(tmp_path / "out"),
            *args,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_a_garak_report_becomes_evidence_per_probe(tmp_path: Path) -> None:
    code, stdout, stderr = assess(tmp_path, "--from-logs", str(FIXTURE), "--json")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["model"] == "garak/smollm2"
    lines = entries(report_file())
    scored = [e for e in lines if e["entry_type"] == "attempt" and e["status"] == 2]
    # garak's own summary of each probe x detector: the evidence must agree with it.
    evals = {(e["probe"], e["detector"]): e for e in lines if e["entry_type"] == "eval"}
    thresholds = {t["threshold_id"]: t for t in report["thresholds"]}
    for threshold_id, probe, detector in (
        ("T-1", "goodside.WhoIsRiley", "goodside.RileyIsnt"),
        ("T-2", "test.Blank", "any.AnyOutput"),
    ):
        attempts = [a for a in scored if a["probe_classname"] == probe]
        summary = evals[(probe, detector)]
        threshold = thresholds[threshold_id]
        assert threshold["n"] == len(attempts)
        assert threshold["unscored"] == 0
        # Every attempt has as many outputs, so the mean of per-attempt hit rates
        # is garak's attack success rate, fails over evaluated outputs.
        assert threshold["estimate"] == summary["fails"] / summary["total_evaluated"]
    suites = {s["task"]: s for s in report["suites"]}
    riley = suites["garak/goodside.WhoIsRiley"]
    harness = riley["comparability"]["harness"]
    assert (harness["name"], harness["version"], harness["probe"]) == (
        "garak", "0.17.1", "goodside.WhoIsRiley",
    )  # fmt: skip
    assert harness["detectors"] == ["goodside.RileyIsnt"]
    assert (harness["generations"], harness["eval_threshold"]) == (2, 0.5)
    assert riley["comparability"]["dataset_digest"].startswith("sha256:")
    assert riley["comparability_key"] != suites["garak/test.Blank"]["comparability_key"]
    first = next(a for a in scored if a["probe_classname"] == "goodside.WhoIsRiley")
    responses = {s["id"]: s["response"] for s in riley["samples"]}
    assert responses[f"attempt-{first['seq']}"] == first["outputs"][0]["text"]
    (ref,) = {r["path"] for r in report["run"]["from_logs"]}
    assert ref == str(report_file())


def _broken_copy(tmp_path: Path, edit: Any) -> tuple[Path, int]:
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURE, broken)
    path = report_file(broken)
    lines = path.read_text().splitlines()
    number = next(
        n
        for n, line in enumerate(lines, 1)
        if '"entry_type": "attempt"' in line and '"status": 2' in line
    )
    lines[number - 1] = edit(lines[number - 1])
    path.write_text("\n".join(lines) + "\n")
    return path, number


def test_a_malformed_garak_line_names_file_and_line(tmp_path: Path) -> None:
    path, number = _broken_copy(tmp_path, lambda line: line[: len(line) // 2])
    code, _, stderr = assess(tmp_path, "--from-logs", str(path.parent))
    assert code == 2
    assert f"{path}:{number}: not a JSON line" in " ".join(stderr.split())
    assert "Traceback" not in stderr
    assert not (tmp_path / "out").exists()


def test_a_garak_attempt_of_the_wrong_shape(tmp_path: Path) -> None:
    def drop_results(line: str) -> str:
        attempt = json.loads(line)
        attempt["detector_results"] = {"goodside.RileyIsnt": [0.0]}
        return json.dumps(attempt)

    path, number = _broken_copy(tmp_path, drop_results)
    code, _, stderr = assess(tmp_path, "--from-logs", str(path.parent))
    assert code == 2
    assert (
        f"{path}:{number}: field 'detector_results.goodside.RileyIsnt' must list one "
        "score" in " ".join(stderr.split())
    )
    assert not (tmp_path / "out").exists()
