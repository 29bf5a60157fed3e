"""`redline registry ...`: run the registry service and administer its database."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from redline.errors import PrerequisiteError

F = TypeVar("F", bound=Callable[..., Any])


def client_options(func: F) -> F:
    """`--registry` and `--token` options, read from REDLINE_REGISTRY_URL/_TOKEN too."""

    @click.option(
        "--registry",
        "registry_url",
        envvar="REDLINE_REGISTRY_URL",
        help="Registry base URL [env REDLINE_REGISTRY_URL, or `registry` in redline.toml].",
    )
    @click.option(
        "--token",
        envvar="REDLINE_REGISTRY_TOKEN",
        help="Your institute's API token [env REDLINE_REGISTRY_TOKEN; prefer it].",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("registry_url"):
            # Click's own message names only the flag; say every way to give it.
            raise click.UsageError(
                "Missing option '--registry': pass the registry's URL with --registry, "
                'set REDLINE_REGISTRY_URL, or put `registry = "http://..."` in redline.toml'
            )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def open_client(url: str, token: str | None) -> Any:
    """A RegistryClient for the options above."""
    from redline.registry import RegistryClient

    return RegistryClient(url, token)


def _server() -> Any:
    try:
        from redline.registry import server
    except ImportError as exc:
        raise PrerequisiteError(
            f"the registry service needs {exc.name}: pip install 'redline[server]'"
        ) from None
    return server


def _database(url: str | None) -> Any:
    server = _server()
    return server.Database(server.Settings.from_env(database_url=url))


_SCOPE_OPTION = click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="Token scope, repeatable: reports:publish, reports:read, exercises, "
    "incidents:read, incidents:submit, incidents:edit [default: all].",
)

_DB_OPTION = click.option(
    "--database",
    "database_url",
    help="SQLAlchemy URL [env REDLINE_REGISTRY_DATABASE_URL; "
    "default: sqlite in $REDLINE_HOME].",
)


@click.group("registry")
def registry_group() -> None:
    """Run the registry service and manage its institutes."""


@registry_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@_DB_OPTION
def serve_command(host: str, port: int, database_url: str | None) -> None:
    """Serve the registry API (migrating the database first)."""
    server = _server()
    import uvicorn

    settings = server.Settings.from_env(database_url=database_url)
    app = server.create_app(settings)
    click.echo(
        f"Registry on http://{host}:{port} with {settings.redacted_url()}", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


@registry_group.command("migrate")
@_DB_OPTION
def migrate_command(database_url: str | None) -> None:
    """Bring the database schema up to date."""
    db = _database(database_url)
    db.migrate()
    click.echo(f"Database at revision {db.revision()}")


@registry_group.command("add-institute")
@click.argument("slug")
@click.option("--name", default="", help="Full name of the institute.")
@click.option(
    "--public-key",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Register this public key for it.",
)
@_SCOPE_OPTION
@_DB_OPTION
def add_institute_command(
    slug: str,
    name: str,
    public_key: Path | None,
    scopes: tuple[str, ...],
    database_url: str | None,
) -> None:
    """Add an institute and print its API token (shown only this once)."""
    server = _server()
    from redline.reports import load_public_key

    key = load_public_key(public_key) if public_key else None
    db = _database(database_url)
    db.migrate()
    token = server.add_institute(db, slug, name, scopes=scopes)
    if key is not None:
        server.register_key(db, slug, key)
        click.echo(f"Registered key {key.key_id}", err=True)
    click.echo(f"Added {slug}. Its API token (store it now; it is not kept):", err=True)
    click.echo(token)


@registry_group.command("new-token")
@click.argument("slug")
@click.option(
    "--revoke-others", is_flag=True, help="Revoke the institute's old tokens."
)
@_SCOPE_OPTION
@_DB_OPTION
def new_token_command(
    slug: str,
    revoke_others: bool,
    scopes: tuple[str, ...],
    database_url: str | None,
) -> None:
    """Issue another API token for an institute (printed once)."""
    server = _server()
    db = _database(database_url)
    db.migrate()
    click.echo(server.new_token(db, slug, revoke_others=revoke_others, scopes=scopes))


@registry_group.command("institutes")
@_DB_OPTION
def institutes_command(database_url: str | None) -> None:
    """List the institutes of the registry."""
    for slug, name in _server().list_institutes(_database(database_url)):
        click.echo(f"{slug}\t{name}")
