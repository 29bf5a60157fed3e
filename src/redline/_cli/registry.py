"""`redline registry ...`: run the registry service and administer its database."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from redline.errors import ConfigError, PrerequisiteError

F = TypeVar("F", bound=Callable[..., Any])


_INSECURE = "redline.registry.insecure"


def _read_token_file(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the token file: {exc.strerror}"
        ) from None
    if not token:
        raise ConfigError(f"{path}: the token file is empty")
    return token


def client_options(func: F) -> F:
    """`--registry`, `--token`, `--token-file` and `--insecure`, from env vars too.

    A token typed on the command line shows in `ps` and shell history, so the
    variable or a token file is the way to pass it; the flag stays, with a warning.
    """

    @click.option(
        "--registry",
        "registry_url",
        envvar="REDLINE_REGISTRY_URL",
        help="Registry base URL [env REDLINE_REGISTRY_URL, or `registry` in redline.toml].",
    )
    @click.option(
        "--token",
        envvar="REDLINE_REGISTRY_TOKEN",
        help="Your institute's API token [env REDLINE_REGISTRY_TOKEN; prefer it, or "
        "--token-file: a flag shows in ps and shell history].",
    )
    @click.option(
        "--token-file",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar="REDLINE_REGISTRY_TOKEN_FILE",
        help="File holding the API token [env REDLINE_REGISTRY_TOKEN_FILE].",
    )
    @click.option(
        "--insecure",
        is_flag=True,
        envvar="REDLINE_REGISTRY_INSECURE",
        help="Allow sending the token over plain http:// to another machine.",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("registry_url"):
            # Click's own message names only the flag; say every way to give it.
            raise click.UsageError(
                "Missing option '--registry': pass the registry's URL with --registry, "
                'set REDLINE_REGISTRY_URL, or put `registry = "http://..."` in redline.toml'
            )
        token_file: Path | None = kwargs.pop("token_file")
        context = click.get_current_context()
        context.meta[_INSECURE] = kwargs.pop("insecure")
        if kwargs.get("token") is None and token_file is not None:
            kwargs["token"] = _read_token_file(token_file)
        elif context.get_parameter_source("token") is ParameterSource.COMMANDLINE:
            click.echo(
                "warning: --token on the command line shows in ps and shell history; "
                "use REDLINE_REGISTRY_TOKEN or --token-file",
                err=True,
            )
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def open_client(url: str, token: str | None) -> Any:
    """A RegistryClient for the options above."""
    from redline.registry import RegistryClient

    insecure = bool(click.get_current_context().meta.get(_INSECURE, False))
    return RegistryClient(url, token, insecure=insecure)


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
    "incidents:read, incidents:submit, incidents:edit, keys:manage "
    "[default: all but incidents:edit, which is granted only by name].",
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


@registry_group.command("revoke-token")
@click.argument("token_id")
@_DB_OPTION
def revoke_token_command(token_id: str, database_url: str | None) -> None:
    """Revoke one API token by its id (`rl_<id>_...`; see `registry tokens`)."""
    db = _database(database_url)
    db.migrate()
    slug = _server().revoke_token(db, token_id.removeprefix("rl_").split("_")[0])
    click.echo(f"Revoked token {token_id} of {slug}", err=True)


@registry_group.command("tokens")
@click.argument("slug")
@_DB_OPTION
def tokens_command(slug: str, database_url: str | None) -> None:
    """List an institute's API tokens: id, scopes, created, revoked (no secrets)."""
    db = _database(database_url)
    db.migrate()
    for t in _server().list_tokens(db, slug):
        revoked = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        click.echo(
            f"{t.token_id}\t{' '.join(t.scopes)}\t{t.created_at:%Y-%m-%d}\t{revoked}"
        )


@registry_group.command("institutes")
@_DB_OPTION
def institutes_command(database_url: str | None) -> None:
    """List the institutes of the registry."""
    for slug, name in _server().list_institutes(_database(database_url)):
        click.echo(f"{slug}\t{name}")
