"""Key files on disk: owner-only modes, and passphrase-encrypted PKCS#8."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from redline._cli.main import cli
from redline.errors import SignatureError
from redline.reports import (
    PASSPHRASE_ENV,
    SigningKey,
    is_encrypted_key_file,
    load_public_key,
    load_signing_key,
    write_key_pair,
)

PASSPHRASE = "correct horse battery staple"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_are_written_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "keys"
    private, public = write_key_pair(SigningKey.generate(), folder, "k")
    assert _mode(private) == 0o600
    assert _mode(folder) == 0o700
    assert b"PRIVATE" not in public.read_bytes()


def test_an_encrypted_key_needs_its_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    key = SigningKey.from_seed(bytes([7]) * 32)
    private, _ = write_key_pair(key, tmp_path, "enc", passphrase=PASSPHRASE)
    text = private.read_bytes()
    assert text.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert is_encrypted_key_file(private)
    with pytest.raises(SignatureError, match=PASSPHRASE_ENV):
        load_signing_key(private)
    with pytest.raises(SignatureError, match="wrong passphrase"):
        load_signing_key(private, passphrase="not it")
    loaded = load_signing_key(private, passphrase=PASSPHRASE)
    assert loaded.public == key.public
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert load_signing_key(private).public == key.public
    assert load_public_key(private).key_id == key.public.key_id


def test_the_cli_generates_and_signs_with_an_encrypted_key(tmp_path: Path) -> None:
    golden_report_path = Path(__file__).parent / "data" / "report.json"
    env = {PASSPHRASE_ENV: PASSPHRASE}
    runner = CliRunner()
    made = runner.invoke(
        cli,
        ["keys", "generate", "--name", "enc", "--dir", str(tmp_path), "--encrypt"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    key = tmp_path / "enc.key"
    assert is_encrypted_key_file(key)
    signed = tmp_path / "signed.json"
    args = ["report", "sign", str(golden_report_path), "--key", str(key)]
    ok = runner.invoke(cli, [*args, "-o", str(signed)], env=env)
    assert ok.exit_code == 0, ok.output
    assert json.loads(signed.read_text())["signature"]["key_id"].startswith("ed25519:")
    # No variable and no terminal to prompt on: one line naming the variable.
    refused = runner.invoke(
        cli, [*args, "-o", str(tmp_path / "x.json")], env={PASSPHRASE_ENV: ""}
    )
    assert refused.exit_code != 0
    assert PASSPHRASE_ENV in refused.output
    assert "Traceback" not in refused.output
