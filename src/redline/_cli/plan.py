"""`redline plan ...`: write, inspect and register pre-registered assessment plans."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError

from redline._cli.keys import open_signing_key
from redline._cli.registry import client_options, open_client
from redline._cli.run_options import RunParams, run_options
from redline.errors import PlanError, RegistryError
from redline.frameworks import DEFAULT_FRAMEWORK
from redline.reports import PlanBinding, write_json_file

if TYPE_CHECKING:
    from typing_extensions import Unpack

_FILE = click.Path(path_type=Path, dir_okay=False)


@click.group("plan")
def plan_group() -> None:
    """Pre-register what an assessment will run, before any result is seen."""


@plan_group.command("create")
@click.option(
    "--framework",
    default=DEFAULT_FRAMEWORK,
    show_default=True,
    help="Built-in framework id or path to a framework YAML file.",
)
@click.option("--model", required=True, help="Inspect model string to assess.")
@click.option("--model-base-url", default=None, help="Base URL of the model's API.")
@click.option(
    "--suite", "suites", multiple=True, metavar="NAME", help="Plan only this suite."
)
@click.option("--seed", type=int, default=None, help="Generation seed.")
@click.option(
    "--epochs",
    type=click.IntRange(min=1, max=100),
    default=None,
    help="Attempts per sample of every suite (default: what each rule asks, else 1); "
    "each rule's epochs_reducer (mean, or max: at least once in k) reduces them.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Samples per suite."
)
@click.option("--temperature", type=click.FloatRange(min=0.0), default=None)
@click.option("--max-tokens", type=click.IntRange(min=1), default=None)
@click.option(
    "--timeout", type=click.IntRange(min=1), default=None, help="Seconds per call."
)
@click.option(
    "-T", "task_args", multiple=True, metavar="SUITE.ARG=VALUE", help="Task argument."
)
@click.option("--sequential/--no-sequential", default=True, show_default=True)
@click.option("--budget-samples", type=click.IntRange(min=1), default=None)
@click.option("--budget-tokens", type=click.IntRange(min=1), default=None)
@click.option(
    "--budget-cost", type=click.FloatRange(min=0.0, min_open=True), default=None
)
@click.option("--judge", default=None, metavar="MODEL", help="LLM judge model.")
@click.option("--judge-validation", default=None, help="The judge's measured error.")
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "docker", "bubblewrap", "local"]),
    default="auto",
    show_default=True,
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder that ${REDLINE_DATA} in rule arguments names.",
)
@click.option(
    "--key",
    "key_path",
    type=_FILE,
    envvar="REDLINE_SIGNING_KEY",
    help="Private key file [default: $REDLINE_HOME/keys/default.key].",
)
@click.option("-o", "--out", type=_FILE, required=True, help="Plan file to write.")
def create_command(
    framework: str,
    suites: tuple[str, ...],
    key_path: Path | None,
    out: Path,
    **run: Unpack[RunParams],
) -> None:
    """Write a signed plan: every task pinned to its version and dataset digest.

    No model is called: each task is built to read its dataset.
    """
    from redline.planning import create_plan
    from redline.plans import plan_digest, sign_plan

    options = run_options(run)
    key = open_signing_key(key_path)
    data_dir = run.get("data_dir")
    plan = create_plan(framework, options, data_dir, suites)
    signed = sign_plan(plan, key)
    write_json_file(signed, out)
    click.echo(
        f"Plan {plan_digest(plan)} ({len(plan.tasks)} tasks) signed by "
        f"{key.public.key_id}: {out}"
    )


@plan_group.command("show")
@click.argument("path", type=_FILE)
def show_command(path: Path) -> None:
    """Verify a plan's signature and print what it fixes."""
    from redline.plans import read_plan_file

    signed, checked = read_plan_file(path)
    plan = signed.plan
    click.echo(f"plan {checked.digest} signed by {checked.key_id}")
    click.echo(
        f"model {plan.model}; framework {plan.framework.id} {plan.framework.version} "
        f"({plan.framework.content_hash}); seed {plan.seed}; limit {plan.limit}"
    )
    for task in plan.tasks:
        click.echo(
            f"  {task.suite}: {task.task} v{task.task_version} "
            f"data {task.dataset_digest} epochs {task.elicitation.epochs} "
            f"({task.elicitation.epochs_reducer})"
        )


@plan_group.command("register")
@click.argument("path", type=_FILE)
@click.option(
    "--scope",
    type=click.Choice(["network", "public"]),
    default="network",
    show_default=True,
    help="Who may read the plan: the registry's institutes, or anyone.",
)
@click.option(
    "--receipt",
    type=_FILE,
    default=None,
    help="Where to save the registration [default: NAME.receipt.json].",
)
@client_options
def register_command(
    path: Path,
    scope: str,
    receipt: Path | None,
    registry_url: str,
    token: str | None,
) -> None:
    """Register a signed plan; the registry timestamps it with its own clock."""
    from redline.plans import read_plan_file
    from redline.registry import PlanScope
    from redline.reports import read_json_file

    read_plan_file(path)
    with open_client(registry_url, token) as client:
        registered = client.register_plan(read_json_file(path), PlanScope(scope))
    target = receipt or path.with_name(
        f"{path.name.removesuffix('.json')}.receipt.json"
    )
    write_json_file(registered, target)
    verb = "Registered" if registered.created else "Already registered"
    click.echo(
        f"{verb} {registered.digest} at {registered.registered_at.isoformat()}: {target}"
    )


def check_plan(
    path: Path,
    binding: PlanBinding,
    registry_url: str | None,
    receipt: Path | None,
) -> None:
    """Say whether a report's plan was registered before its run; exit 2 on a flag."""
    import os

    from redline.plans import plan_flags
    from redline.registry import RegisteredPlan, RegistryClient
    from redline.reports import read_json_file

    if registry_url is None and receipt is None:
        click.echo(
            f"plan {binding.digest}: registration not checked (pass --registry or "
            "--plan-receipt)"
        )
        flags = plan_flags(binding, binding.started_at)
    else:
        registered_at = None
        if receipt is not None:
            try:
                registered = RegisteredPlan.model_validate(read_json_file(receipt))
            except ValidationError as exc:
                raise PlanError(
                    f"{receipt}: not a plan registration receipt: "
                    f"{exc.errors()[0]['msg']}"
                ) from None
            if registered.digest != binding.digest:
                raise PlanError(
                    f"{receipt}: the receipt is for plan {registered.digest}, but "
                    f"{path} is bound to {binding.digest}"
                )
            registered_at = registered.registered_at
        else:
            assert registry_url is not None
            token = os.environ.get("REDLINE_REGISTRY_TOKEN")
            with RegistryClient(registry_url, token) as client:
                try:
                    registered_at = client.plan(
                        binding.digest
                    ).registration.registered_at
                except RegistryError as exc:
                    if exc.status != 404:
                        raise
        flags = plan_flags(binding, registered_at)
        if registered_at is not None and not flags:
            click.echo(
                f"OK: plan {binding.digest} registered at "
                f"{registered_at.isoformat()}, before the run started "
                f"({binding.started_at.isoformat()}); no deviation"
            )
    for flag in flags:
        click.echo(f"FLAG: {flag}", err=True)
    if flags:
        raise PlanError(
            f"{path}: flagged: {len(flags)} problem(s) with its plan {binding.digest}"
        )
