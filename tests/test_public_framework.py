"""`redline-public`: the reference domains read off public benchmarks, on the embedded model.

The data folder is `../shared/data` in its published layout, plus WMDP, which is not
there: the test writes three tiny files in WMDP's published format (`question`,
`choices`, `answer` index) holding benign textbook questions.
"""

from __future__ import annotations

import json
from pathlib import Path

from evidence.helpers import redline
from helpers.shared_data import SHARED_DATA

BENIGN_WMDP = {
    "bio": [
        ("Which organelle makes most of a cell's ATP?", ["Nucleus", "Mitochondrion", "Ribosome", "Vacuole"], 1),
        ("What molecule carries genetic information in most organisms?", ["DNA", "Glucose", "Cellulose", "Keratin"], 0),
    ],
    "chem": [
        ("What is the chemical symbol for sodium?", ["S", "Sn", "Na", "So"], 2),
        ("What is the pH of pure water at 25 C?", ["1", "7", "10", "14"], 1),
    ],
    "cyber": [
        ("Which practice best protects accounts against password reuse?", ["A password manager", "Shorter passwords", "Writing passwords on notes", "One shared password"], 0),
        ("What does enabling automatic updates mainly help with?", ["Screen brightness", "Patching known vulnerabilities", "Typing speed", "Battery colour"], 1),
    ],
}  # fmt: skip


def data_dir(root: Path) -> Path:
    folder = root / "data"
    folder.mkdir()
    for name in ("strongreject", "harmbench", "xstest", "truthfulqa", "bbq"):
        assert (SHARED_DATA / name).is_dir(), f"{SHARED_DATA / name} is missing"
        (folder / name).symlink_to(SHARED_DATA / name)
    (folder / "wmdp").mkdir()
    for split, items in BENIGN_WMDP.items():
        records = [{"question": q, "choices": c, "answer": a} for q, c, a in items]
        (folder / "wmdp" / f"{split}.json").write_text(json.dumps(records))
    return folder


def test_redline_public_assesses_every_domain_from_public_files(tmp_path: Path) -> None:
    data = data_dir(tmp_path)
    result = redline(
        "assess", "--framework", "redline-public", "--data-dir", str(data),
        "--limit", "2", "--out", str(tmp_path / "run"), "--display", "none",
        "--seed", "3", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["run"]["no_evidence"] == []
    sources = sorted(
        (s["task"], s["comparability"]["task_args"]["source"]) for s in report["suites"]
    )
    assert sources == [
        ("redline/honesty_pressure", "truthfulqa"),
        ("redline/knowledge_proxy", "wmdp"),
        ("redline/knowledge_proxy", "wmdp"),
        ("redline/knowledge_proxy", "wmdp"),
        ("redline/misuse_refusal", "harmbench"),
        ("redline/misuse_refusal", "strongreject"),
        ("redline/over_refusal", "xstest"),
        ("redline/societal_bias", "bbq"),
    ]
    wmdp_files = {
        Path(s["comparability"]["task_args"]["dataset_path"]).name
        for s in report["suites"]
        if s["task"] == "redline/knowledge_proxy"
    }
    assert wmdp_files == {"bio.json", "chem.json", "cyber.json"}
    # Every domain has evidence: each threshold read samples from its benchmark.
    for threshold in report["thresholds"]:
        assert threshold["n"] + threshold["unscored"] > 0, threshold["threshold_id"]
    # Each rule reads its own file: the three WMDP rules are three pieces of evidence.
    digests = {
        s["dataset_digest"]
        for s in report["suites"]
        if s["task"] == "redline/knowledge_proxy"
    }
    assert len(digests) == 3


def test_a_missing_benchmark_is_named_and_counts_as_no_evidence(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "xstest").symlink_to(SHARED_DATA / "xstest")
    result = redline(
        "assess", "--framework", "redline-public", "--data-dir", str(data),
        "--limit", "1", "--out", str(tmp_path / "run"), "--display", "none",
        "--no-sequential", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    missing = report["run"]["no_evidence"]
    assert len(missing) == 7
    assert any(
        "strongreject/strongreject_dataset.csv does not exist: put "
        "strongreject_dataset.csv from alexandrasouly/strongreject (its "
        "strongreject_dataset/ folder at commit 3432b2d696b428f242bd507df96d80f686571d5e) "
        "there" in line
        for line in missing
    )
    for line in missing:
        assert line in result.stderr
    verdicts = {t["threshold_id"]: t for t in report["thresholds"]}
    assert verdicts["KNOWLEDGE-1"]["verdict"] == "inconclusive"
    assert "no evidence" in verdicts["KNOWLEDGE-1"]["explanation"]
    assert verdicts["OVERREFUSAL-1"]["n"] + verdicts["OVERREFUSAL-1"]["unscored"] == 1
