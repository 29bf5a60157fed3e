"""`redline campaign --ray`: every pair of the campaign runs its suites on a real cluster.

Run inside a loopback-only network namespace (see conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai.log import list_eval_logs, read_eval_log

from helpers.frameworks import write_single_threshold_framework
from redline._cli.main import cli
from redline.reports import load_report
from scale.conftest import Cluster


def test_a_campaign_runs_each_pair_on_the_cluster(
    head: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The campaign's folders are relative to here, and Ray's workers run elsewhere.
    monkeypatch.chdir(tmp_path)
    lenient = write_single_threshold_framework(tmp_path / "lenient.yaml", cutoff=0.9)
    strict = write_single_threshold_framework(tmp_path / "strict.yaml", cutoff=0.1)
    result = CliRunner().invoke(
        cli,
        [
            *("campaign", "--display", "none", "--model", "redline/local"),
            *("--framework", str(lenient), "--framework", str(strict)),
            *("--limit", "2", "--seed", "5", "--no-sequential"),
            *("--ray", head.address, "--ray-shards", "2"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stdout + result.stderr

    (folder,) = (tmp_path / "runs").iterdir()
    summary = json.loads((folder / "campaign.json").read_text())
    assert [(p["framework"], p["status"]) for p in summary["pairs"]] == [
        ("lenient", "done"),
        ("strict", "done"),
    ]
    for pair in summary["pairs"]:
        run_dir = folder / pair["folder"]
        report = load_report(run_dir / "report.json")
        assert report.run.complete
        # The suite ran as two shards on the cluster, merged into one Inspect log.
        assert len(list((run_dir / "logs-shards").rglob("*.eval"))) >= 2
        (log_info,) = list_eval_logs(str(run_dir / "logs"))
        log = read_eval_log(log_info.name)
        assert log.status == "success"
        assert sorted(str(s.id) for s in log.samples or []) == sorted(
            s.id for s in report.suites[0].samples
        )
