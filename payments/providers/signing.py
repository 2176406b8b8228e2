"""RSA2 (SHA256withRSA) signatures over Alipay's canonical parameter string, and key generation."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# Left out of what is signed: Alipay's notifications and responses leave out sign and sign_type,
# while a merchant's request signs its sign_type too.
NOTIFICATION_UNSIGNED = frozenset({"sign", "sign_type"})
REQUEST_UNSIGNED = frozenset({"sign"})


def canonical(params: Mapping[str, str], *, unsigned: frozenset[str] = NOTIFICATION_UNSIGNED) -> str:
    """Alipay's string to sign: ``key=value`` pairs sorted by key, joined by ``&``, blanks left out."""
    return "&".join(f"{key}={params[key]}" for key in sorted(params) if key not in unsigned and params[key] != "")


@cache
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


@cache
def _public_key(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def rsa2_sign(private_key_pem: str, message: str) -> str:
    signature = _private_key(private_key_pem).sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa2_verify(public_key_pem: str, message: str, signature: str) -> bool:
    """True only for a well-formed signature of ``message`` by the key's owner."""
    try:
        raw = base64.b64decode(signature, validate=True)
        _public_key(public_key_pem).verify(raw, message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def sign_params(private_key_pem: str, params: Mapping[str, str]) -> dict[str, str]:
    """``params`` with ``sign_type`` RSA2 and their ``sign`` added."""
    signed = {**params, "sign_type": "RSA2"}
    signed["sign"] = rsa2_sign(private_key_pem, canonical(signed))
    return signed


def generate_key_pair() -> tuple[str, str]:
    """A new 2048-bit RSA key pair as PEM text: (PKCS#8 private key, SubjectPublicKeyInfo public key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem
