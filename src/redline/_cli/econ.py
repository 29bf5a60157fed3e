"""`redline econ ...`: build an economic index, read a release, compare the two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from redline._cli.common import stdout_console
from redline.errors import ConfigError, InputError

LEVEL = click.Choice(["task", "occupation", "major-group"])
stderr = Console(stderr=True, highlight=False)


class _RichProgress:
    """A rich progress bar on stderr, over the bytes of the input files."""

    def __init__(self, total: int) -> None:
        self._progress = Progress(
            TextColumn("[bold]indexing"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[conversations]} conversations"),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
        )
        self._task = self._progress.add_task(
            "index", total=total or None, conversations=0
        )
        self._progress.start()

    def advance(self, consumed_bytes: int, conversations: int) -> None:
        self._progress.update(
            self._task, advance=consumed_bytes, conversations=conversations
        )

    def close(self) -> None:
        self._progress.stop()


PRIVACY_K_FLOOR = 5
"""Fewer distinct users per published cell than this draws a warning."""


def _share(row: Any) -> str:
    interval = ""
    if row.lower_pct is not None:
        interval = f" [{row.lower_pct:.1f}, {row.upper_pct:.1f}]"
    return f"{row.share_pct:.2f}{interval}"


@click.group("econ")
def econ_group() -> None:
    """The economic index: which tasks AI is used for, augmenting or automating."""


@econ_group.command("index")
@click.argument(
    "conversations", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--onet",
    required=True,
    type=click.Path(path_type=Path),
    help="O*NET folder or task statements file.",
)
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Output folder."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "openai", "sharegpt"]),
    default="auto",
    show_default=True,
)
@click.option(
    "--k-users",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Distinct users a cell needs to be published.",
)
@click.option(
    "--m-conversations",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Conversations a cell needs to be published.",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(0, 10_000),
    default=200,
    show_default=True,
    help="Bootstrap replicates (0: no intervals).",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--user-field",
    "user_fields",
    multiple=True,
    help="Dotted field holding the user id (repeatable); default: user_id, user, account_id, metadata.*.",
)
@click.option(
    "--anonymous-users",
    type=click.Choice(["shared", "distinct"]),
    default="shared",
    show_default=True,
    help="Count conversations without a user id as one user (shared) or one each.",
)
@click.option(
    "--backend",
    type=click.Choice(["offline", "llm"]),
    default="offline",
    show_default=True,
)
@click.option(
    "--model",
    help="Inspect model string for --backend llm, e.g. redline/local or openai/gpt-4o-mini.",
)
@click.option(
    "--llm-strategy",
    type=click.Choice(["tree", "rerank"]),
    default="tree",
    show_default=True,
    help="LLM: walk the SOC tree, or pick among the retriever's top candidates.",
)
@click.option("--charts/--no-charts", default=True, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print index.json to stdout.")
def index_command(
    conversations: tuple[Path, ...],
    onet: Path,
    out: Path,
    fmt: str,
    k_users: int,
    m_conversations: int,
    bootstrap: int,
    confidence: float,
    seed: int,
    user_fields: tuple[str, ...],
    anonymous_users: str,
    backend: str,
    model: str | None,
    llm_strategy: str,
    charts: bool,
    as_json: bool,
) -> None:
    """Map CONVERSATIONS (JSONL) to O*NET tasks and write a privacy-thresholded index."""
    from redline.econ import IndexOptions, index_conversations

    if k_users < PRIVACY_K_FLOOR:
        stderr.print(
            f"Warning: --k-users {k_users} publishes cells that fewer than "
            f"{PRIVACY_K_FLOOR} people make up; a single user's conversations can then "
            "be read off the aggregates. Use it only on data you may show as is.",
            style="yellow",
            soft_wrap=True,
        )

    settings: dict[str, Any] = {
        "format": fmt,
        "k_users": k_users,
        "m_conversations": m_conversations,
        "bootstrap": bootstrap,
        "confidence": confidence,
        "seed": seed,
        "anonymous_users": anonymous_users,
    }
    if user_fields:
        settings["user_fields"] = user_fields
    mapper = None
    if backend == "llm":
        if not model:
            raise ConfigError("--backend llm needs --model <inspect model string>")
        from redline.evals.econ_classifier import llm_mapper_factory

        mapper = llm_mapper_factory(model, strategy=llm_strategy)
    elif model:
        raise ConfigError("--model is only used with --backend llm")
    index = index_conversations(
        conversations,
        onet,
        out,
        IndexOptions(**settings),
        mapper=mapper,
        charts=charts,
        progress=_RichProgress if stderr.is_terminal else None,
    )
    if index.counts.conversations == 0 and index.counts.lines_skipped > 0:
        first = index.issues[0] if index.issues else None
        where = f" (first: {first.file}:{first.line}: {first.reason})" if first else ""
        raise InputError(
            f"{', '.join(map(str, conversations))}: no line is a conversation "
            f"({index.counts.lines_skipped} malformed lines){where}; expected JSONL, one "
            "conversation per line, in OpenAI chat-messages or ShareGPT form "
            "(see the README's economic index section)"
        )
    if as_json:
        click.echo(index.model_dump_json(indent=2))
        return
    console = stdout_console()
    table = Table(title=f"Usage by SOC major group ({index.major_groups.base})")
    table.add_column("code")
    table.add_column("major group")
    table.add_column("share % [interval]", justify="right")
    for row in index.major_groups.rows:
        table.add_row(row.code, row.title, _share(row))
    console.print(table)
    if index.automation and index.augmentation:
        console.print(
            f"automation {_share(index.automation)}  augmentation {_share(index.augmentation)}"
        )
    privacy, counts = index.privacy, index.counts
    console.print(
        f"{counts.conversations} conversations, {counts.lines_skipped} malformed lines skipped, "
        f"{counts.unclassified} not mapped; privacy k={privacy.k_users} users, "
        f"m={privacy.m_conversations} conversations: {privacy.cells_suppressed} cells "
        f"({privacy.conversations_suppressed} conversations, {privacy.suppressed_pct:.1f}%) "
        f"suppressed. Written to {out}"
    )
    for issue in index.issues[:5]:
        stderr.print(f"skipped {issue.file}:{issue.line}: {issue.reason}")
    if counts.without_user_id:
        stderr.print(
            f"Warning: {counts.without_user_id} conversations carry no user id and were "
            f"counted as {'one shared user' if anonymous_users == 'shared' else 'one user each'} "
            "(--anonymous-users); name the field with --user-field if they have one.",
            style="yellow",
            soft_wrap=True,
        )
    if privacy.cells_suppressed and not privacy.cells_published:
        reasons = ", ".join(
            f"{count} cells with {reason}"
            for reason, count in privacy.suppression_reasons.items()
        )
        stderr.print(
            f"Every cell was suppressed ({reasons}): the index publishes nothing. "
            f"Cells need {privacy.k_users} distinct users and {privacy.m_conversations} "
            "conversations; index more conversations, or lower --k-users / "
            "--m-conversations if the data may be shown at that resolution.",
            style="yellow",
            soft_wrap=True,
        )


@econ_group.command("release")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--level", type=LEVEL, default="major-group", show_default=True)
@click.option(
    "--onet",
    type=click.Path(path_type=Path),
    help="O*NET files to aggregate with (default: the release's own).",
)
@click.option("--top", type=click.IntRange(min=1), help="Show only the largest N rows.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print rows as JSON (code, title, share in percent).",
)
def release_command(
    folder: Path, level: str, onet: Path | None, top: int | None, as_json: bool
) -> None:
    """Print a published Economic Index release's usage shares at one SOC level."""
    import json

    from redline.econ import load_release, release_shares

    table = release_shares(load_release(folder, onet), level)  # type: ignore[arg-type]
    rows = table.rows[:top] if top else table.rows
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"code": r.code, "title": r.title, "share_pct": r.share_pct}
                    for r in rows
                ],
                indent=2,
            )
        )
        return
    out = Table(title=table.base)
    out.add_column("code")
    out.add_column("title")
    out.add_column("share %", justify="right")
    for row in rows:
        out.add_row(row.code, row.title, f"{row.share_pct:.2f}")
    stdout_console().print(out)


@econ_group.command("compare")
@click.argument("left", type=click.Path(path_type=Path))
@click.argument("right", type=click.Path(path_type=Path))
@click.option("--level", type=LEVEL, default="major-group", show_default=True)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    help="Show only the N rows largest on the right.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def compare_command(
    left: Path, right: Path, level: str, top: int | None, as_json: bool
) -> None:
    """Compare LEFT with RIGHT: each an index (index.json or its folder) or a release folder."""
    from redline.econ import compare_tables, load_shares

    sides = [load_shares(side, level) for side in (left, right)]  # type: ignore[arg-type]
    for (shares, label), path in zip(sides, (left, right), strict=True):
        if not shares.rows:
            raise InputError(
                f"{path}: {label} has no published {level} rows (every cell suppressed, "
                "or no conversations mapped): there is nothing to compare"
            )
    (left_table, left_label), (right_table, right_label) = sides
    result = compare_tables(left_table, right_table, left_label, right_label)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
        return
    table = Table(title=f"{result.left} vs {result.right} ({level})")
    table.add_column("code")
    table.add_column("title")
    table.add_column("left %", justify="right")
    table.add_column("right %", justify="right")
    table.add_column("diff", justify="right")
    for row in result.rows[:top] if top else result.rows:
        table.add_row(
            row.code,
            row.title,
            f"{row.left_pct:.2f}",
            f"{row.right_pct:.2f}",
            f"{row.difference_pct:+.2f}",
        )
    console = stdout_console()
    console.print(table)
    spearman = "n/a" if result.spearman is None else f"{result.spearman:.3f}"
    console.print(
        f"{result.matched} matched; total variation {result.total_variation_pct:.2f} points; "
        f"Spearman {spearman}; only left {result.left_only_pct:.2f}%, "
        f"only right {result.right_only_pct:.2f}%"
    )
