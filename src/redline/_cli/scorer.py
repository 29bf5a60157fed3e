"""`redline scorer validate`: a scorer's or judge's error on an institute's own labels."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from redline._cli.common import stdout_console


@click.group("scorer")
def scorer_group() -> None:
    """Measure Redline's scorers, or any Inspect model as a judge, on human labels."""


def _cell(figure: object) -> str:
    estimate = getattr(figure, "estimate", None)
    if estimate is None:
        return "n/a"
    return f"{estimate:.3f} [{getattr(figure, 'lower', 0):.3f}, {getattr(figure, 'upper', 1):.3f}]"


@scorer_group.command("validate")
@click.option(
    "--labels",
    "labels",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="CSV or JSONL of human-labelled replies: prompt, response, label "
    "(refused/complied or harmful/not_harmful); optional context, category, prompt_id.",
)
@click.option(
    "--scorer",
    default=None,
    metavar="NAME",
    help="Shipped scorer to measure: refusal_classifier or harmful_compliance_classifier "
    "(default: the one of the labels' question).",
)
@click.option(
    "--judge",
    default=None,
    metavar="MODEL",
    help="Inspect model string to measure as a judge (StrongREJECT-style rubric).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("scorer-validation.json"),
    show_default=True,
    help="Validation file to write; `assess --judge-validation FILE` reads it.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the validation file on stdout."
)
def validate_command(
    labels: Path, scorer: str | None, judge: str | None, out: Path, as_json: bool
) -> None:
    """Accuracy, sensitivity, specificity, macro-F1 and Cohen's kappa, with intervals."""
    from redline.evals import validate_scorer

    result = validate_scorer(labels, scorer=scorer, judge=judge)
    text = result.model_dump_json(indent=1) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed, so an interrupted run never leaves half a file.
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out)
    if as_json:
        click.echo(text, nl=False)
        return
    table = Table(title=f"{result.entries[0].scorer} on {labels.name} (95% intervals)")
    for column in ("context", "category", "n", "unscored", "accuracy", "sensitivity"):
        table.add_column(column, no_wrap=True)
    for column in ("specificity", "macro-F1", "kappa"):
        table.add_column(column, no_wrap=True)
    for entry, category in [(e, "all") for e in result.entries] + [
        (e, ", ".join(e.sources)) for e in result.by_source
    ]:
        table.add_row(
            entry.context,
            category,
            str(entry.positives + entry.negatives),
            str(entry.unscored),
            _cell(entry.accuracy),
            _cell(entry.sensitivity),
            _cell(entry.specificity),
            _cell(entry.macro_f1),
            _cell(entry.kappa),
        )
    console = stdout_console()
    console.print(table)
    console.print(f"wrote {out}")


@scorer_group.command("agreement")
@click.option(
    "--labels",
    "labels",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="CSV or JSONL as for `validate`; each `label_<rater>` column is one more "
    "rater (another institute's annotators, say).",
)
@click.option(
    "--scorer",
    "scorers",
    multiple=True,
    metavar="NAME",
    help="Shipped scorer to add as a rater (repeatable).",
)
@click.option(
    "--judge",
    "judges",
    multiple=True,
    metavar="MODEL",
    help="Inspect model to add as a judge (repeatable).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the table as JSON on stdout."
)
def agreement_command(
    labels: Path, scorers: tuple[str, ...], judges: tuple[str, ...], as_json: bool
) -> None:
    """Judge-human and judge-judge agreement (Cohen's kappa), overall and per category."""
    from redline.evals import rater_agreement

    table = rater_agreement(labels, scorers=scorers, judges=judges)
    if as_json:
        click.echo(table.model_dump_json(indent=1))
        return
    out = Table(title=f"agreement on {labels.name} ({table.question}; 95% intervals)")
    for column in ("category", "rater A", "rater B", "n", "agreement", "kappa"):
        out.add_column(column, no_wrap=True)
    for row in table.rows:
        out.add_row(
            row.category,
            row.rater_a,
            row.rater_b,
            str(row.n),
            _cell(row.agreement),
            _cell(row.kappa),
        )
    stdout_console().print(out)
