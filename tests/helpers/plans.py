"""A framework binding a task whose data is a file the test owns, and a signing key."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from redline._cli.main import cli

TASKS = Path(__file__).resolve().parents[1] / "plans" / "tasks" / "pinned_facts.py"
FACTS = [
    ("fact-1", "Name the gas plants take in for photosynthesis.", "pass"),
    ("fact-2", "What unit measures electrical resistance?", "pass"),
    ("fact-3", "How many minutes are in two hours?", "fail"),
]


def framework_yaml(task_ref: str, cutoff: float = 0.5, extra: str = "") -> str:
    return f"""\
id: plan-test
name: Plan test framework
version: '1'
domains:
  - {{id: knowledge}}
thresholds:
  - id: K-1
    domain: knowledge
    name: everyday knowledge
    severity: requires_safeguards
    rules:
      - task: {task_ref}
        args: {{path: "${{REDLINE_DATA}}/facts.jsonl"}}
        values: {{pass: 1, fail: 0}}
        metric: accuracy
        comparator: ">="
        cutoff: {cutoff}
{extra}"""


@dataclass
class PlanSetup:
    root: Path
    framework: Path
    data_dir: Path
    key: Path

    def write_facts(self, facts: list[tuple[str, str, str]] = FACTS) -> None:
        lines = [json.dumps({"id": i, "question": q, "grade": g}) for i, q, g in facts]
        (self.data_dir / "facts.jsonl").write_text("\n".join(lines) + "\n")

    def set_cutoff(self, cutoff: float, extra: str = "") -> None:
        ref = f"{os.path.relpath(TASKS, self.framework.parent)}@pinned_facts"
        self.framework.write_text(framework_yaml(ref, cutoff, extra))

    def create_plan(self, out: Path, *extra: str) -> Result:
        return run(
            "plan", "create", "--framework", str(self.framework),
            "--model", "redline/local", "--seed", "7", "--limit", "2",
            "--data-dir", str(self.data_dir), "--key", str(self.key),
            "-o", str(out), *extra,
        )  # fmt: skip

    def assess(self, plan: Path, out: Path, *extra: str, ok: bool = True) -> Result:
        return run(
            "assess", "--plan", str(plan), "--data-dir", str(self.data_dir),
            "--out", str(out), "--display", "none", *extra, ok=ok,
        )  # fmt: skip


def make_setup(root: Path) -> PlanSetup:
    data_dir = root / "data"
    data_dir.mkdir(parents=True)
    setup = PlanSetup(root, root / "framework.yaml", data_dir, root / "keys" / "k.key")
    setup.set_cutoff(0.5)
    setup.write_facts()
    run("keys", "generate", "--name", "k", "--dir", str(root / "keys"))
    return setup


def run(*args: str, ok: bool = True, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env or {})
    if ok:
        assert result.exit_code == 0, result.output
    return result
