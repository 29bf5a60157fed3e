"""Framework authoring from the command line: init, show --yaml, the format page, suites."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner, Result

from redline._cli.main import cli
from redline.frameworks import Framework, load_framework
from redline.frameworks._docs import framework_format_markdown

DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "framework-format.md"


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_init_writes_a_valid_commented_framework_and_never_overwrites(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mine.yaml"
    written = _run("framework", "init", str(path))
    assert written.exit_code == 0, written.output
    text = path.read_text()
    assert text.count("\n#") + text.count("  #") >= 5  # it explains itself
    framework = load_framework(path)
    assert {t.id for t in framework.thresholds} == {"MISUSE-1", "AUTONOMY-1"}
    validated = _run("framework", "validate", str(path))
    assert validated.exit_code == 0, validated.output

    again = _run("framework", "init", str(path))
    assert again.exit_code == 2
    assert "exists" in again.output
    assert path.read_text() == text


def test_show_yaml_is_a_framework_file_that_loads_to_the_same_content(
    tmp_path: Path,
) -> None:
    shown = _run("framework", "show", "redline-reference", "--yaml")
    assert shown.exit_code == 0, shown.output
    path = tmp_path / "copy.yaml"
    path.write_text(shown.stdout)
    assert isinstance(yaml.safe_load(shown.stdout), dict)
    copy = load_framework(path)
    assert copy.content_hash == load_framework("redline-reference").content_hash


def test_the_format_page_is_generated_and_covers_every_field() -> None:
    page = framework_format_markdown()
    assert DOCS_PAGE.read_text() == page, (
        "docs/framework-format.md is stale: redline framework docs > docs/framework-format.md"
    )
    schema = Framework.model_json_schema()
    for name, definition in schema["$defs"].items():
        assert f"## {name}" in page
        for field in definition.get("properties", {}):
            assert f"| `{field}` |" in page, (name, field)
    for field in schema["properties"]:
        assert f"| `{field}` |" in page
    assert "```yaml\n# A starting safety framework" in page


def test_suites_json_lists_sample_counts_and_categories() -> None:
    result = _run("suites", "--json")
    assert result.exit_code == 0, result.output
    suites = {entry["name"]: entry for entry in json.loads(result.stdout)}
    autonomy = suites["autonomy_proxy"]
    assert autonomy["samples"] == sum(autonomy["categories"].values())
    # The reference framework's CYBER-1 reads this subset: it must exist.
    assert autonomy["categories"]["cyber_defense"] >= 1
    for entry in suites.values():
        assert entry["samples"] >= 1
        assert entry["metrics"]
        assert sum(entry["categories"].values()) <= entry["samples"]
    table = CliRunner().invoke(cli, ["suites"], env={"COLUMNS": "250"})
    assert "cyber_defense" in table.output


def test_an_attestation_of_an_unknown_safeguard_is_an_error(tmp_path: Path) -> None:
    attestations = tmp_path / "attestations.yaml"
    attestations.write_text(
        "- {safeguard: misuse-classifiers, document: runbook.pdf, attested_by: T&S lead}\n"
        "- {safeguard: misuse-clasifiers, document: typo.pdf, attested_by: T&S lead}\n"
    )
    result = _run(
        "assess", "--attestations", str(attestations), "--out", str(tmp_path / "run")
    )
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "attestations: entry 2 names safeguard 'misuse-clasifiers'" in message
    assert "misuse-classifiers" in message
    assert not (tmp_path / "run").exists()
