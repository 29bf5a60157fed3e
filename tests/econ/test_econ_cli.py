from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from econ_helpers import AEI_DIR, ONET_DIR, chat, write_jsonl

from redline._cli.main import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_release_json_prints_major_group_shares() -> None:
    result = invoke("econ", "release", str(AEI_DIR), "--level", "major-group", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows[0] == {
        "code": "15-0000",
        "title": "Computer and Mathematical Occupations",
        "share_pct": pytest.approx(37.2249, abs=1e-3),
    }
    assert len(rows) == 22


def test_release_table_and_top() -> None:
    result = invoke(
        "econ", "release", str(AEI_DIR), "--level", "occupation", "--top", "3"
    )
    assert result.exit_code == 0
    assert "Computer Programmers" in result.stdout or "Software" in result.stdout


def test_index_then_compare(tmp_path: Path) -> None:
    records = [chat(f"u{i % 12}", "Fix the bug in my python code") for i in range(40)]
    records += [
        chat(f"v{i % 12}", "Write a short story about a whale") for i in range(40)
    ]
    path = write_jsonl(tmp_path / "c.jsonl", [*records, "oops"])
    out = tmp_path / "out"
    result = invoke(
        "econ",
        "index",
        str(path),
        "--onet",
        str(ONET_DIR),
        "--out",
        str(out),
        "--bootstrap",
        "20",
        "--no-charts",
    )
    assert result.exit_code == 0, result.output
    assert "80 conversations, 1 malformed lines skipped" in " ".join(
        result.stdout.split()
    )
    assert (out / "index.json").is_file()
    assert not (out / "major_groups.png").exists()
    compared = invoke("econ", "compare", str(out), str(AEI_DIR), "--json")
    assert compared.exit_code == 0, compared.output
    data = json.loads(compared.stdout)
    assert data["level"] == "major-group"
    assert data["matched"] >= 2
    table = invoke(
        "econ",
        "compare",
        str(out / "index.json"),
        str(AEI_DIR),
        "--level",
        "occupation",
    )
    assert "matched; total variation" in " ".join(table.stdout.split())


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("econ", "release", "/nonexistent/release"), "no such release folder"),
        (
            ("econ", "index", "missing.jsonl", "--onet", str(ONET_DIR), "--out", "o"),
            "no such conversations file",
        ),
        (
            ("econ", "index", "--onet", "/nonexistent/onet", "--out", "o", "HERE"),
            "no such O*NET folder",
        ),
        (
            (
                "econ",
                "index",
                "HERE",
                "--onet",
                str(ONET_DIR),
                "--out",
                "o",
                "--backend",
                "llm",
            ),
            "--backend llm needs --model",
        ),
        (
            (
                "econ",
                "index",
                "HERE",
                "--onet",
                str(ONET_DIR),
                "--out",
                "o",
                "--model",
                "x/y",
            ),
            "--model is only used with --backend llm",
        ),
        (("econ", "compare", "/nonexistent/a", str(AEI_DIR)), "no such release folder"),
        (
            ("econ", "compare", "HERE", str(AEI_DIR)),
            "c.jsonl: not a valid economic index:",
        ),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    here = write_jsonl(tmp_path / "c.jsonl", [chat("u", "hi")])
    result = CliRunner().invoke(cli, [str(here) if a == "HERE" else a for a in args])
    assert result.exit_code == 2, result.output
    assert fragment in " ".join(result.stderr.split())
    assert "'hi'" not in result.stderr


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "redline._cli.main",
            "econ",
            "index",
            "c.jsonl",
            "--onet",
            ".",
            "--out",
            "o",
            "--k-users",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Invalid value for '--k-users'" in result.stderr


def test_a_csv_is_refused_with_exit_2_naming_the_expected_format(
    tmp_path: Path,
) -> None:
    path = tmp_path / "conversations.csv"
    path.write_text("id,text\n1,hello\n2,world\n")
    result = CliRunner().invoke(
        cli,
        [
            "econ",
            "index",
            str(path),
            "--onet",
            str(ONET_DIR),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "no line is a conversation (3 malformed lines)" in message
    assert "expected JSONL" in message


def test_all_suppressed_says_why_and_compare_refuses_the_empty_index(
    tmp_path: Path,
) -> None:
    path = write_jsonl(
        tmp_path / "few.jsonl", [chat(None, "Fix the bug in my python code")] * 30
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["econ", "index", str(path), "--onet", str(ONET_DIR), "--out", str(out),
         "--bootstrap", "0", "--no-charts"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    stderr = " ".join(result.stderr.split())
    assert "30 conversations carry no user id" in stderr
    assert (
        "Every cell was suppressed (1 cells with fewer than 5 distinct users)" in stderr
    )
    assert "lower --k-users / --m-conversations" in stderr

    compared = CliRunner().invoke(cli, ["econ", "compare", str(out), str(AEI_DIR)])
    assert compared.exit_code == 2
    assert "there is nothing to compare" in compared.output


def test_k_users_below_the_floor_warns(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [chat("u1", "Write a poem")] * 12)
    result = CliRunner().invoke(
        cli,
        ["econ", "index", str(path), "--onet", str(ONET_DIR), "--out",
         str(tmp_path / "o"), "--k-users", "1", "--bootstrap", "0", "--no-charts"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Warning: --k-users 1 publishes cells" in " ".join(result.stderr.split())
