"""`redline compare` as a person reads it: a legend, estimates not paths, n/a one-sided."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from redline._cli.main import cli


def test_columns_show_estimates_and_one_sided_rows_are_na(
    tmp_path: Path, report_data: dict[str, Any]
) -> None:
    first = tmp_path / "first-institute-report.json"
    first.write_text(json.dumps(report_data))
    fewer = copy.deepcopy(report_data)
    dropped = fewer["thresholds"].pop()["threshold_id"]
    second = tmp_path / "second-institute-report.json"
    second.write_text(json.dumps(fewer))

    result = CliRunner().invoke(
        cli, ["compare", str(first), str(second)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Legend: A = {first.name}; B = {second.name}" in out
    lines = out.splitlines()
    metric_rows = [line for line in lines if "A − B" in line]
    assert metric_rows
    # Estimates, not the file names, fill the value columns.
    assert all(first.name not in line for line in metric_rows)
    estimate = f"{report_data['thresholds'][0]['estimate']:.3f}"
    assert any(line.count(estimate) >= 2 for line in metric_rows)
    one_sided = next(line for line in lines if line.strip("│ ").startswith(dropped))
    cells = [cell.strip() for cell in one_sided.split("│") if cell.strip()]
    assert cells[-2:] == ["n/a", "n/a"]
    both = next(
        line
        for line in lines
        if line.strip("│ ").startswith(report_data["thresholds"][0]["threshold_id"])
    )
    assert both.rstrip(" │").endswith("yes")
