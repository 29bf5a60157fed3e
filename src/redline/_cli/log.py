"""`redline log ...`: check reports against the registry's transparency log."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from redline._cli.registry import open_client
from redline.errors import ConfigError
from redline.registry import check_url
from redline.reports import load_public_key, read_json_file, verify_signed_report
from redline.transparency import (
    LogReceipt,
    ReceiptCheck,
    SignedTreeHead,
    check_receipt,
    load_tree_heads,
    read_receipt,
    read_tree_head,
    save_tree_head,
    verify_tree_head,
    write_receipt,
)

_FILE = click.Path(path_type=Path, dir_okay=False)
_DIR = click.Path(path_type=Path, file_okay=False)

_REGISTRY = click.option(
    "--registry",
    "registry_url",
    envvar="REDLINE_REGISTRY_URL",
    help="Registry base URL [env REDLINE_REGISTRY_URL]; the log needs no token.",
)
_STH_DIR = click.option(
    "--sth-dir",
    type=_DIR,
    help="Folder of tree heads saved earlier; every new one seen is saved there.",
)
_LOG_KEY = click.option(
    "--log-key",
    type=_FILE,
    help="The registry's log public key (registry-log.pub) [default: the key of "
    "the saved tree heads, or trust on first use].",
)


@click.group("log")
def log_group() -> None:
    """Check reports against a registry's transparency log."""


def _subject(report: Path) -> str:
    # Only a report whose signature holds is worth finding in the log.
    _, checked = verify_signed_report(read_json_file(report), source=str(report))
    return checked.assessment_digest


def _fetch(registry_url: str, subject: str, saved: list[SignedTreeHead]) -> LogReceipt:
    with open_client(check_url(registry_url), None) as client:
        return client.log_receipt(  # type: ignore[no-any-return]
            subject, kind="report.published", since=[h.tree_size for h in saved]
        )


def _trusted(log_key: Path | None) -> str | None:
    return load_public_key(log_key).b64 if log_key else None


@log_group.command("verify")
@click.argument("report", type=_FILE)
@_REGISTRY
@_STH_DIR
@click.option(
    "--proof",
    "proof_path",
    type=_FILE,
    help="Check offline, from a receipt written by `redline log proof`.",
)
@click.option(
    "--sth",
    "sth_paths",
    type=_FILE,
    multiple=True,
    help="A tree head saved earlier (repeatable), for offline checks.",
)
@_LOG_KEY
def verify_command(
    report: Path,
    registry_url: str | None,
    sth_dir: Path | None,
    proof_path: Path | None,
    sth_paths: tuple[Path, ...],
    log_key: Path | None,
) -> None:
    """Check that REPORT is in the log, and that the log only grew since saved heads.

    Online (`--registry`), the receipt is fetched; offline (`--proof`), it is read
    from a file. Either way the same checks run: the tree head's signature, the
    report's inclusion, and consistency with every saved tree head. Exit 2 when
    any fails.
    """
    if proof_path is not None:
        # Offline wins over a registry from the environment or redline.toml; both
        # typed on one command line is a mistake to point out.
        source = click.get_current_context().get_parameter_source("registry_url")
        if source is ParameterSource.COMMANDLINE:
            raise ConfigError("give --registry URL or --proof FILE, not both")
        registry_url = None
    elif registry_url is None:
        raise ConfigError(
            "give --registry URL to check online, or --proof FILE offline"
        )
    subject = _subject(report)
    saved = [
        *(load_tree_heads(sth_dir) if sth_dir else []),
        *map(read_tree_head, sth_paths),
    ]
    trusted = _trusted(log_key) or (saved[0].log_public_key if saved else None)
    if proof_path is not None:
        receipt = read_receipt(proof_path)
    else:
        assert registry_url is not None
        receipt = _fetch(registry_url, subject, saved)
    # A head whose signature holds is kept even if it then fails to extend an older
    # one: it is the registry's signed word, evidence of the fork.
    verify_tree_head(receipt.tree_head, trusted_key=trusted)
    if sth_dir is not None:
        save_tree_head(sth_dir, receipt.tree_head)
    result = check_receipt(
        receipt,
        subject=subject,
        saved=saved,
        trusted_key=trusted,
        kind="report.published",
    )
    _echo(report, result)


def _echo(report: Path, result: ReceiptCheck) -> None:
    entry, head = result.entry, result.tree_head
    click.echo(
        f"OK: {report} is log entry #{entry.index} ({entry.kind} by "
        f"{entry.institute or '-'} at {entry.timestamp})"
    )
    click.echo(
        f"tree head: size {head.tree_size}, root {head.root_hash}, signed by "
        f"{head.log_key_id} at {head.timestamp}"
    )
    sizes = ", ".join(str(s) for s in result.consistent_with)
    count = len(result.consistent_with)
    click.echo(
        f"consistent with {count} saved tree head{'s' * (count != 1)}"
        + (f" (sizes {sizes})" if sizes else "")
    )


@log_group.command("proof")
@click.argument("report", type=_FILE)
@_REGISTRY
@_STH_DIR
@click.option("-o", "--out", type=_FILE, required=True, help="Receipt file to write.")
@_LOG_KEY
def proof_command(
    report: Path,
    registry_url: str | None,
    sth_dir: Path | None,
    out: Path,
    log_key: Path | None,
) -> None:
    """Fetch and check REPORT's receipt, and write it for `log verify --proof`.

    The receipt carries consistency proofs from every tree head in `--sth-dir`,
    so it can be checked offline against those heads.
    """
    if registry_url is None:
        raise ConfigError("give --registry URL (or set REDLINE_REGISTRY_URL)")
    subject = _subject(report)
    saved = load_tree_heads(sth_dir) if sth_dir else []
    trusted = _trusted(log_key) or (saved[0].log_public_key if saved else None)
    receipt = _fetch(registry_url, subject, saved)
    verify_tree_head(receipt.tree_head, trusted_key=trusted)
    if sth_dir is not None:
        save_tree_head(sth_dir, receipt.tree_head)
    result = check_receipt(
        receipt,
        subject=subject,
        saved=saved,
        trusted_key=trusted,
        kind="report.published",
    )
    write_receipt(out, receipt)
    _echo(report, result)
    click.echo(f"Receipt: {out}")
