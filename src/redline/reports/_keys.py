"""Ed25519 signing keys: generate, write, load, and name them.

Private keys are PKCS#8 PEM files readable only by their owner, encrypted with a
passphrase when one is given (from `REDLINE_KEY_PASSPHRASE` or a prompt: never an
argument, which would show in `ps`); public keys are SubjectPublicKeyInfo PEM, so
OpenSSL and other tools read both. A key is named by its
key id, a digest of the raw public key, which is what reports and the registry quote.
Key material is never logged or put in an error message.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from redline.errors import ConfigError, PrerequisiteError, SignatureError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

PRIVATE_KEY_SUFFIX = ".key"
PUBLIC_KEY_SUFFIX = ".pub"
PASSPHRASE_ENV = "REDLINE_KEY_PASSPHRASE"


def _crypto() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError:  # pragma: no cover - the server extra ships it
        raise PrerequisiteError(
            "signing needs the 'cryptography' package: pip install 'redline[server]'"
        ) from None


def keys_dir() -> Path:
    """Where `redline keys generate` writes keys: `$REDLINE_HOME/keys` or the user dir."""
    home = os.environ.get("REDLINE_HOME")
    base = Path(home) if home else Path(platformdirs.user_data_dir("redline"))
    return base / "keys"


def key_id_of(public_raw: bytes) -> str:
    """Key id of a raw 32-byte Ed25519 public key: `ed25519:` + 24 hex of its sha256."""
    return "ed25519:" + hashlib.sha256(public_raw).hexdigest()[:24]


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key with its id."""

    raw: bytes
    """The 32 raw key bytes."""

    @property
    def key_id(self) -> str:
        """Key id quoted by signatures and the registry."""
        return key_id_of(self.raw)

    @property
    def b64(self) -> str:
        """Standard base64 of the raw key, as carried in signatures."""
        return base64.b64encode(self.raw).decode("ascii")

    @classmethod
    def from_b64(cls, text: str) -> PublicKey:
        """Parse the base64 form; raises SignatureError when it is not 32 bytes."""
        try:
            raw = base64.b64decode(text, validate=True)
        except (ValueError, TypeError):
            raise SignatureError("public key is not valid base64") from None
        if len(raw) != 32:
            raise SignatureError(
                f"an Ed25519 public key has 32 bytes, this one has {len(raw)}"
            )
        return cls(raw)

    def to_pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM of the key."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PublicKey,
        )

        key = Ed25519PublicKey.from_public_bytes(self.raw)
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def verifier(self) -> Ed25519PublicKey:
        """The cryptography object that verifies signatures."""
        _crypto()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PublicKey,
        )

        return Ed25519PublicKey.from_public_bytes(self.raw)


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key; its repr never shows the key."""

    _key: Ed25519PrivateKey

    def __repr__(self) -> str:
        return f"SigningKey({self.public.key_id})"

    @property
    def public(self) -> PublicKey:
        """The matching public key."""
        from cryptography.hazmat.primitives import serialization

        raw = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return PublicKey(raw)

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature of the message."""
        return self._key.sign(message)

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh random key."""
        _crypto()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PrivateKey,
        )

        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """The key with this 32-byte seed; for reproducible test signatures."""
        _crypto()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (
            Ed25519PrivateKey,
        )

        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def to_pem(self, passphrase: str | None = None) -> bytes:
        """PKCS#8 PEM, encrypted when a passphrase is given; written only at mode 0600."""
        from cryptography.hazmat.primitives import serialization

        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase.encode())
            if passphrase
            else serialization.NoEncryption()
        )
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )


def write_key_pair(
    key: SigningKey, directory: Path, name: str, *, passphrase: str | None = None
) -> tuple[Path, Path]:
    """Write `<name>.key` (mode 0600) and `<name>.pub`; refuses to overwrite a key.

    The private key is encrypted PKCS#8 when `passphrase` is given.

    Raises:
        ConfigError: A key of that name exists, or the directory cannot be written.
    """
    private = directory / f"{name}{PRIVATE_KEY_SUFFIX}"
    public = directory / f"{name}{PUBLIC_KEY_SUFFIX}"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # O_EXCL: never clobber a key someone depends on; 0600 from the first byte.
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{private}: a key with this name exists") from None
    except OSError as exc:
        raise ConfigError(f"{directory}: cannot write keys: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as f:
        f.write(key.to_pem(passphrase))
    public.write_bytes(key.public.to_pem())
    return private, public


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read key file: {exc.strerror}") from None


def is_encrypted_key_file(path: Path) -> bool:
    """Whether a private key file is encrypted PKCS#8 (it needs a passphrase)."""
    return b"BEGIN ENCRYPTED PRIVATE KEY" in _read(path)


def load_signing_key(path: Path, *, passphrase: str | None = None) -> SigningKey:
    """Load an Ed25519 private key from a PEM file, encrypted or not.

    Args:
        path: The key file.
        passphrase: For an encrypted key; by default `$REDLINE_KEY_PASSPHRASE`.

    Raises:
        ConfigError: The file cannot be read.
        SignatureError: It is not an Ed25519 private key (a public key, an RSA key, or
            not a key at all), or it is encrypted and the passphrase is missing or
            wrong.
    """
    _crypto()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read(path)
    if b"PUBLIC KEY" in data:
        raise SignatureError(
            f"{path}: is a public key; signing needs the private key ({PRIVATE_KEY_SUFFIX})"
        )
    encrypted = b"BEGIN ENCRYPTED PRIVATE KEY" in data
    secret = passphrase if passphrase is not None else os.environ.get(PASSPHRASE_ENV)
    if encrypted and not secret:
        raise SignatureError(
            f"{path}: the key is encrypted: set {PASSPHRASE_ENV} to its passphrase"
        )
    try:
        key = serialization.load_pem_private_key(
            data, password=secret.encode() if encrypted and secret else None
        )
    except TypeError:
        raise SignatureError(
            f"{path}: the key is encrypted; give its passphrase"
        ) from None
    except ValueError:
        if encrypted:
            raise SignatureError(f"{path}: wrong passphrase for the key") from None
        raise SignatureError(f"{path}: not a PEM private key file") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError(f"{path}: not an Ed25519 key")
    return SigningKey(key)


def load_public_key(path: Path, *, passphrase: str | None = None) -> PublicKey:
    """Load an Ed25519 public key from a PEM file (or the public half of a private one).

    `passphrase` opens an encrypted private key file, as in `load_signing_key`.

    Raises:
        ConfigError: The file cannot be read.
        SignatureError: It holds no Ed25519 key.
    """
    _crypto()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = _read(path)
    if b"PRIVATE KEY" in data:
        return load_signing_key(path, passphrase=passphrase).public
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise SignatureError(f"{path}: not a PEM public key file") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError(f"{path}: not an Ed25519 key")
    return PublicKey(
        key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
