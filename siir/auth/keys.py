"""Keys: the embedded default's own signing key, and the public keys tokens are checked against.

Production trusts an identity provider (a JWKS URL or PEM public keys); only the embedded default
signs its own tokens, with an ES256 key created on first start and kept under the data folder.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes


def key_id(public_key: PublicKeyTypes) -> str:
    """A stable ``kid``: the first 16 bytes of the SHA-256 of the public key, base64url."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:16]).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class SigningKey:
    private_key: PrivateKeyTypes
    kid: str
    algorithm: str = "ES256"

    @property
    def public_key(self) -> PublicKeyTypes:
        return self.private_key.public_key()  # type: ignore[union-attr]


def local_signing_key_path(data_dir: Path) -> Path:
    return data_dir / "auth" / "signing-key.pem"


def load_or_create_signing_key(data_dir: Path) -> SigningKey:
    """The embedded default's key; created (mode 0600) the first time any process needs it."""
    path = local_signing_key_path(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        private_key = ec.generate_private_key(ec.SECP256R1())
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Not the pid alone: replicas in containers all run as pid 1 and share this volume.
        temporary = path.with_suffix(f".{os.getpid()}.{secrets.token_hex(8)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        try:
            os.link(temporary, path)  # atomic and refuses to overwrite: two first starts agree on one key
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return SigningKey(private_key=private_key, kid=key_id(private_key.public_key()))


def load_public_key(path: str | Path) -> PublicKeyTypes:
    return serialization.load_pem_public_key(Path(path).read_bytes())
