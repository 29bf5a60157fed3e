"""`redline framework ...`: list, show, validate and diff safety frameworks."""

from __future__ import annotations

import json
from pathlib import Path

import click
import yaml
from rich.table import Table
from rich.text import Text

from redline._cli.common import stdout_console
from redline.errors import ConfigError
from redline.frameworks import (
    DeclaredPropertyRule,
    EvaluationEvidence,
    Framework,
    builtin_framework_ids,
    load_framework,
)
from redline.frameworks._diff import diff_frameworks
from redline.frameworks._docs import framework_format_markdown, starter_framework


@click.group("framework")
def framework_group() -> None:
    """Work with safety frameworks (built-in ids or YAML files)."""


@framework_group.command("list")
def list_command() -> None:
    """List the built-in frameworks."""
    table = Table()
    for column in ("id", "version", "thresholds", "name"):
        table.add_column(column)
    for framework_id in builtin_framework_ids():
        f = load_framework(framework_id)
        table.add_row(f.id, f.version, str(len(f.thresholds)), f.name)
    stdout_console().print(table)


def _rules_text(framework: Framework, threshold_id: str) -> str:
    threshold = next(t for t in framework.thresholds if t.id == threshold_id)
    texts = []
    for rule in threshold.rules:
        text = rule.describe()
        if not isinstance(rule, DeclaredPropertyRule) and rule.alert_cutoff is not None:
            text += f" (alert at {rule.alert_cutoff:g})"
        texts.append(text)
    joiner = " AND " if threshold.combine == "all" else " OR "
    return joiner.join(texts)


@framework_group.command("show")
@click.argument("framework")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the validated framework as JSON."
)
@click.option(
    "--yaml",
    "as_yaml",
    is_flag=True,
    help="Print the validated framework as YAML, defaults filled in (a file to edit).",
)
def show_command(framework: str, as_json: bool, as_yaml: bool) -> None:
    """Show a framework's domains, thresholds and safeguards as readable tables."""
    f = load_framework(framework)
    if as_json:
        click.echo(json.dumps(f.model_dump(mode="json"), indent=2))
        return
    if as_yaml:
        click.echo(
            yaml.safe_dump(
                f.model_dump(mode="json"), sort_keys=False, allow_unicode=True
            ),
            nl=False,
        )
        return
    console = stdout_console()
    console.print(Text(f"{f.name}", style="bold"))
    console.print(
        f"id {f.id}  version {f.version}  effective {f.effective_date or '-'}  {f.content_hash[:23]}…"
    )
    if f.source_url:
        console.print(f"source {f.source_url}")
    if f.description:
        console.print(Text(f.description, style="dim"))
    p = f.decision_policy
    console.print(
        f"policy: {p.confidence:.0%} {p.interval} intervals; inconclusive counts as {p.inconclusive_as}; "
        f"at most {p.max_unscored_share:.0%} unscored; {p.multiplicity} correction within a domain"
    )
    thresholds = Table(title="Thresholds")
    for column in (
        "id",
        "domain",
        "level",
        "severity",
        "applies to",
        "crossed when",
        "requires",
    ):
        thresholds.add_column(column, overflow="fold", no_wrap=column == "id")
    for t in f.thresholds:
        domain = f.domain(t.domain)
        thresholds.add_row(
            t.id,
            t.domain + (" (research)" if domain.status == "research" else ""),
            t.level.label if t.level else "",
            t.severity.value,
            ", ".join(t.applies_to),
            Text(_rules_text(f, t.id)),
            ", ".join(t.required_safeguards),
        )
    console.print(thresholds)
    if f.safeguards:
        safeguards = Table(title="Safeguards")
        for column in ("id", "kind", "evidenced by"):
            safeguards.add_column(column)
        for s in f.safeguards:
            items = [
                f"evaluation: not {e.evaluation.describe()}"
                if isinstance(e, EvaluationEvidence)
                else f"attestation by {e.attested_by}: {e.attestation}"
                for e in s.evidence
            ]
            safeguards.add_row(s.id, s.kind, Text("; ".join(items)))
        console.print(safeguards)


@framework_group.command("validate")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder that ${REDLINE_DATA} in rule arguments names.",
)
def validate_command(paths: tuple[str, ...], data_dir: Path | None) -> None:
    """Validate framework files (or built-in ids): every suite, task, argument and metric."""
    from redline.assess import build_plan

    for path in paths:
        plan = build_plan(path, data_dir)
        f = load_framework(path)
        click.echo(
            f"{path}: valid ({len(f.thresholds)} thresholds, tasks: {', '.join(i.suite for i in plan)})"
        )
        for item in plan:
            for note in item.run.notes if item.run else ():
                click.echo(f"  note: {note}")
            if item.run and item.run.missing:
                click.echo(
                    f"  missing (its rules will have no evidence): {item.run.missing}"
                )


@framework_group.command("diff")
@click.argument("old")
@click.argument("new")
def diff_command(old: str, new: str) -> None:
    """Show what changed between two framework versions."""
    before, after = load_framework(old), load_framework(new)
    changes = diff_frameworks(before, after)
    if not changes:
        click.echo("no changes")
        return
    table = Table(title=f"{before.id} {before.version} -> {after.id} {after.version}")
    for column in ("change", "field", "old", "new"):
        table.add_column(column)
    style = {"added": "green", "removed": "red", "changed": "yellow"}
    for kind, path, was, now in changes:
        table.add_row(
            Text(kind, style=style[kind]),
            path,
            "" if was is None else str(was),
            "" if now is None else str(now),
        )
    stdout_console().print(table)


@framework_group.command("init")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def init_command(path: Path) -> None:
    """Write a commented starting framework to PATH (never over an existing file)."""
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(starter_framework())
    except FileExistsError:
        raise ConfigError(f"{path} exists; choose another path") from None
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
    click.echo(f"Wrote {path}: edit it, then `redline framework validate {path}`.")


@framework_group.command("docs")
def docs_command() -> None:
    """Print the framework format reference (docs/framework-format.md) as Markdown."""
    click.echo(framework_format_markdown(), nl=False)
