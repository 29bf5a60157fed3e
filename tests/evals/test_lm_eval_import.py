"""lm-evaluation-harness `--log_samples` output as evidence, through `--from-logs`.

The fixture in `tests/evidence/harness/lm_eval_out/` was made by the real lm-eval
0.4.13 against llama-cpp-python's OpenAI-compatible server on the embedded GGUF
(`tests/evidence/harness/make_fixtures.sh`, task `everyday_sums.yaml` over a local
JSONL file); CI only reads it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from evidence.helpers import EVIDENCE_DIR, framework_text
from redline._cli.main import cli

FIXTURE = EVIDENCE_DIR / "harness" / "lm_eval_out"
RULE = """\
task: lm_eval/everyday_sums
metric: exact_match
comparator: ">="
cutoff: 0.9"""


def samples_file(folder: Path = FIXTURE) -> Path:
    (path,) = folder.rglob("samples_everyday_sums_*.jsonl")
    return path


def assess(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    framework = tmp_path / "framework.yaml"
    framework.write_text(framework_text(RULE))
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


def test_lm_eval_samples_become_evidence(tmp_path: Path) -> None:
    code, stdout, stderr = assess(tmp_path, "--from-logs", str(FIXTURE), "--json")
    assert code == 0, stderr
    report = json.loads(stdout)
    lines = [json.loads(line) for line in samples_file().read_text().splitlines()]
    (threshold,) = report["thresholds"]
    assert threshold["n"] == len(lines) == 6
    assert threshold["estimate"] == sum(line["exact_match"] for line in lines) / 6
    assert report["model"] == "lm_eval/smollm2"
    (suite,) = report["suites"]
    harness = suite["comparability"]["harness"]
    assert (harness["name"], harness["version"], harness["task"]) == (
        "lm-eval", "0.4.13", "everyday_sums",
    )  # fmt: skip
    assert harness["filter"] == "first_number"
    assert suite["comparability"]["dataset_digest"].startswith("sha256:")
    responses = {s["id"]: s["response"] for s in suite["samples"]}
    assert responses["doc-0"] == lines[0]["filtered_resps"][0]


def test_an_lm_eval_file_of_the_wrong_shape(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(FIXTURE, broken)
    path = samples_file(broken)
    lines = path.read_text().splitlines()
    second = json.loads(lines[1])
    del second["metrics"]
    lines[1] = json.dumps(second)
    path.write_text("\n".join(lines) + "\n")
    code, _, stderr = assess(tmp_path, "--from-logs", str(broken))
    assert code == 2
    assert f"{path}:2: field 'metrics' is missing" in " ".join(stderr.split())
    assert not (tmp_path / "out").exists()


def test_other_harnesses_are_not_run_live(tmp_path: Path) -> None:
    framework = tmp_path / "framework.yaml"
    framework.write_text(framework_text(RULE.replace("task:", "args: {x: 1}\ntask:")))
    result = CliRunner().invoke(cli, ["framework", "validate", str(framework)])
    assert result.exit_code == 2
    assert "is read from another harness's results; it takes no args" in result.stderr
