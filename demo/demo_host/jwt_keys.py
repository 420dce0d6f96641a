"""
The demo host's JWT signing key: an RSA key pair made on first use and kept in ``demo/data/jwt/``.

The web process, the Celery worker and every ``manage.py`` command load the same file, so a token
one of them signs, the others verify. Delete the folder to change the key (signed tokens then stop
working; the MFE gets a new one from ``/login_refresh``).
"""

import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

SIGNING_ALGORITHM = "RS512"
KEY_FILE_NAME = "signing-key.jwk.json"


def load_or_create_private_jwk(folder: Path) -> str:
    """The private JWK (JSON) kept in ``folder``, made there first if missing."""
    path = folder / KEY_FILE_NAME
    if not path.exists():
        _create(path)
    return path.read_text()


def public_jwk_set(private_jwk: str) -> str:
    """The JWK set (JSON) holding the public half of ``private_jwk``: what verifies its tokens."""
    jwk = json.loads(private_jwk)
    public_key = RSAAlgorithm.from_jwk(jwk).public_key()
    public_jwk = {**RSAAlgorithm.to_jwk(public_key, as_dict=True), "kid": jwk["kid"], "use": "sig", "alg": jwk["alg"]}
    return json.dumps({"keys": [public_jwk]})


def _create(path: Path) -> None:
    """Write a new key to ``path`` unless another process does first: both then use the one written."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {
        **RSAAlgorithm.to_jwk(key, as_dict=True),
        "kid": secrets.token_hex(8),
        "use": "sig",
        "alg": SIGNING_ALGORITHM,
    }
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        json.dump(jwk, file)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
