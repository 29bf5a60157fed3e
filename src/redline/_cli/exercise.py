"""`redline exercise ...`: joint testing exercises in a registry."""

from __future__ import annotations

import click
from pydantic import ValidationError

from redline._cli.common import stdout_console
from redline._cli.compare import render_comparison
from redline._cli.registry import client_options, open_client
from redline.errors import ConfigError
from redline.registry import Exercise, ExerciseCreate


@click.group("exercise")
def exercise_group() -> None:
    """Open joint testing exercises, submit reports, and see the agreement."""


def _print_exercise(exercise: Exercise) -> None:
    click.echo(f"{exercise.id}: {exercise.title}")
    click.echo(f"  model {exercise.model}, framework {exercise.framework_id}")
    click.echo(f"  suites {', '.join(exercise.suites)}")
    submitted = {s.institute: s for s in exercise.submissions}
    for slug in exercise.participants:
        sub = submitted.get(slug)
        state = f"submitted {sub.report_id}" if sub else "not yet submitted"
        click.echo(f"  {slug}: {state}")


@exercise_group.command("create")
@click.option("--title", required=True)
@click.option("--model", required=True, help="Inspect model string under test.")
@click.option("--framework", "framework_id", required=True, help="Framework id.")
@click.option("--suite", "suites", multiple=True, required=True, help="Repeatable.")
@click.option(
    "--participant", "participants", multiple=True, required=True, help="Repeatable."
)
@click.option("--description", default="")
@client_options
def create_command(
    title: str,
    model: str,
    framework_id: str,
    suites: tuple[str, ...],
    participants: tuple[str, ...],
    description: str,
    registry_url: str,
    token: str | None,
) -> None:
    """Open an exercise (you take part in it too)."""
    try:
        spec = ExerciseCreate(
            title=title,
            model=model,
            framework_id=framework_id,
            suites=suites,
            participants=participants,
            description=description,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"exercise: {where}: {first['msg']}") from None
    with open_client(registry_url, token) as client:
        _print_exercise(client.create_exercise(spec))


@exercise_group.command("submit")
@click.argument("exercise_id")
@click.argument("report_id")
@client_options
def submit_command(
    exercise_id: str, report_id: str, registry_url: str, token: str | None
) -> None:
    """Submit one of your published reports to an exercise."""
    with open_client(registry_url, token) as client:
        _print_exercise(client.submit(exercise_id, report_id))


@exercise_group.command("status")
@click.argument("exercise_id")
@client_options
def status_command(exercise_id: str, registry_url: str, token: str | None) -> None:
    """Show an exercise and who has submitted."""
    with open_client(registry_url, token) as client:
        _print_exercise(client.exercise(exercise_id))


@exercise_group.command("compare")
@click.argument("exercise_id")
@click.option("--json", "as_json", is_flag=True, help="Print the agreement as JSON.")
@client_options
def compare_command(
    exercise_id: str, as_json: bool, registry_url: str, token: str | None
) -> None:
    """Agreement between the participants' reports."""
    with open_client(registry_url, token) as client:
        agreement = client.agreement(exercise_id)
        declared = set(client.exercise(exercise_id).suites)
    # The exercise declared which suites it compares; reports may carry more.
    if agreement.comparison is not None and declared:
        agreement = agreement.model_copy(
            update={
                "comparison": agreement.comparison.model_copy(
                    update={
                        "metrics": tuple(
                            m
                            for m in agreement.comparison.metrics
                            if m.suite in declared
                        )
                    }
                )
            }
        )
    if as_json:
        click.echo(agreement.model_dump_json(indent=2))
        return
    if agreement.missing:
        click.echo(f"Not yet submitted: {', '.join(agreement.missing)}")
    if agreement.comparison is None:
        click.echo("Agreement needs at least two submitted reports.")
        return
    console = stdout_console()
    for item in render_comparison(agreement.comparison):
        console.print(item)
