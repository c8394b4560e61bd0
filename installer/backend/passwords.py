"""Password hashing through the system libcrypt (SHA-512 crypt or yescrypt).

The stdlib ``crypt`` module is deprecated and gone in 3.13; libcrypt via ctypes has no pip
dependency and supports both methods that Azure Linux's shadow-utils reads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import secrets
import string
from functools import lru_cache
from typing import Literal

Method = Literal["sha512", "yescrypt"]

_SALT_CHARS = string.ascii_letters + string.digits + "./"
HASH_PREFIXES = ("$6$", "$y$", "$5$", "$2b$", "$2y$", "$7$", "$gy$")


class HashingUnavailable(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _libcrypt() -> ctypes.CDLL:
    name = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:  # pragma: no cover - every Debian has libcrypt1
        raise HashingUnavailable(f"cannot load libcrypt ({name}): {exc}") from exc
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    if hasattr(lib, "crypt_gensalt"):
        lib.crypt_gensalt.restype = ctypes.c_char_p
        lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    return lib


def _salt(method: Method) -> bytes:
    if method == "sha512":
        return ("$6$" + "".join(secrets.choice(_SALT_CHARS) for _ in range(16))).encode()
    lib = _libcrypt()
    if not hasattr(lib, "crypt_gensalt"):
        raise HashingUnavailable("libcrypt has no crypt_gensalt: yescrypt unavailable")
    rnd = secrets.token_bytes(32)
    out = lib.crypt_gensalt(b"$y$", 0, rnd, len(rnd))
    if not out:
        raise HashingUnavailable("libcrypt refused to make a yescrypt salt")
    return bytes(out)


_crypt_lock = __import__("threading").Lock()


def hash_password(plain: str, method: Method = "sha512") -> str:
    """Return a crypt(3) hash of ``plain``. Never logs or raises with the value."""
    lib = _libcrypt()
    with _crypt_lock:  # crypt() uses static storage
        out = lib.crypt(plain.encode(), _salt(method))
    if not out or out.startswith(b"*"):
        raise HashingUnavailable(f"libcrypt could not hash with {method}")
    return out.decode()


def verify_password(plain: str, hashed: str) -> bool:
    lib = _libcrypt()
    with _crypt_lock:
        out = lib.crypt(plain.encode(), hashed.encode())
    return bool(out) and secrets.compare_digest(out.decode(), hashed)


def looks_like_hash(value: str) -> bool:
    return value.startswith(HASH_PREFIXES) and len(value) > 20 and " " not in value
