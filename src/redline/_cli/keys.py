"""`redline keys ...`: Ed25519 signing keys for reports."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from redline._cli.registry import client_options, open_client
from redline.errors import ConfigError
from redline.reports import (
    PASSPHRASE_ENV,
    PRIVATE_KEY_SUFFIX,
    SigningKey,
    is_encrypted_key_file,
    keys_dir,
    load_public_key,
    load_signing_key,
    write_key_pair,
)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def default_key_path() -> Path:
    """The private key `redline report sign` uses when none is given."""
    return keys_dir() / f"default{PRIVATE_KEY_SUFFIX}"


def _passphrase(path: Path) -> str | None:
    # The variable wins; a prompt only when someone is there to answer it.
    if os.environ.get(PASSPHRASE_ENV) or not is_encrypted_key_file(path):
        return None
    if not sys.stdin.isatty():
        return None  # load_signing_key then names the variable to set
    return str(click.prompt(f"Passphrase for {path}", hide_input=True, err=True))


def open_signing_key(path: Path | None) -> SigningKey:
    """The private key at `path` (or the default one), asking for its passphrase."""
    path = path or default_key_path()
    return load_signing_key(path, passphrase=_passphrase(path))


@click.group("keys")
def keys_group() -> None:
    """Create and inspect report signing keys."""


@keys_group.command("generate")
@click.option("--name", default="default", show_default=True, help="Key file name.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the key files [default: $REDLINE_HOME/keys].",
)
@click.option(
    "--encrypt",
    is_flag=True,
    help=f"Encrypt the private key with a passphrase (from {PASSPHRASE_ENV} or a "
    "prompt).",
)
def generate_command(name: str, directory: Path | None, encrypt: bool) -> None:
    """Generate an Ed25519 key pair: NAME.key (private, mode 0600) and NAME.pub."""
    if not _NAME.match(name):
        raise ConfigError(
            f"key name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)"
        )
    passphrase = None
    if encrypt:
        passphrase = os.environ.get(PASSPHRASE_ENV) or str(
            click.prompt(
                "Passphrase", hide_input=True, confirmation_prompt=True, err=True
            )
        )
    key = SigningKey.generate()
    private, public = write_key_pair(
        key, directory or keys_dir(), name, passphrase=passphrase
    )
    click.echo(f"key id:      {key.public.key_id}")
    click.echo(f"private key: {private}  (keep it secret; mode 0600)")
    click.echo(f"public key:  {public}  (register it with your registry)")


@keys_group.command("show")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), required=False)
def show_command(path: Path | None) -> None:
    """Print the key id and base64 public key of a key file (never the private key)."""
    path = path or default_key_path()
    public = load_public_key(path, passphrase=_passphrase(path))
    click.echo(f"key id:     {public.key_id}")
    click.echo(f"public key: {public.b64}")


@keys_group.command("register")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), required=False)
@client_options
def register_command(path: Path | None, registry_url: str, token: str | None) -> None:
    """Register a key with a registry, so reports it signs can be published.

    PATH is the private key: it signs the registry's challenge to prove you hold it.
    """
    key = open_signing_key(path)
    with open_client(registry_url, token) as client:
        registered = client.register_key(key)
    click.echo(f"Registered {registered.key_id}")
