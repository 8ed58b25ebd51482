"""The lab's own certificate authority, so that clients verify its TLS listener for real.

Made on first use with trustme (over `cryptography`), kept in the tutor's data folder and
never installed anywhere else: each client is handed it the way its users would hand it one
(a CA file, an SSL context, a browser profile's certificate store), and verification stays on.
The private keys are readable only by the user (mode 0600, in a folder of mode 0700).

The lab's certificate names 127.0.0.1, ::1 and localhost, and BROWSER_HOST: a name under
`.test` (RFC 6761: no DNS answers it) that a browser is told to find on loopback. A browser
treats loopback addresses and localhost as secure even over plain HTTP (W3C Secure Contexts
§3.1), so no mixed content would be blocked there, and it never notes HSTS for an IP address
(RFC 6797 §8.1.1): by this name, the lab is an ordinary site to it.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import ssl
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.atomic import write_text_atomically

if TYPE_CHECKING:
    import trustme

__all__ = [
    "BROWSER_HOST",
    "FOLDER",
    "LAB_NAMES",
    "Authority",
    "AuthorityError",
    "TlsLab",
    "client_context",
    "local_authority",
]

FOLDER = "tls"
BROWSER_HOST = "lab.redirect-tutor.test"
LAB_NAMES = ("127.0.0.1", "::1", "localhost", BROWSER_HOST)
"""What the lab's certificate names (its subjectAltName)."""
LIFETIME = datetime.timedelta(days=397)
"""The lab certificate's validity: what browsers accept of a public one (CA/B Forum BR §6.3.2)."""
RENEW = datetime.timedelta(days=30)
"""A certificate this close to its end is issued again at the next start."""

_CA = "ca.pem"
_CA_KEY = "ca-key.pem"
_CERT = "lab.pem"
_KEY = "lab-key.pem"
_ISSUED = "lab.json"
"""What the lab's certificate names and when it ends, read at each start without parsing the
certificate (which would import the cryptography package, most of a start's cost)."""


class AuthorityError(Exception):
    """The authority could not be made or read; the message is meant for a person."""


@dataclass(frozen=True, slots=True)
class Authority:
    """Where the files are: the CA's certificate (what clients trust), and the lab's
    certificate and key (what the TLS listener presents)."""

    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """The TLS listener's context: HTTP/1.1 only (ALPN), as the lab's parser speaks."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(self.cert, self.key)
        except (OSError, ssl.SSLError) as error:
            raise AuthorityError(f"The lab's certificate cannot be read: {error}") from None
        context.set_alpn_protocols(["http/1.1"])
        return context


@dataclass(frozen=True, slots=True)
class TlsLab:
    """A lab's TLS listener as its clients need it: where it is and the CA file that verifies
    it; or why the lab has none (`problem`)."""

    url: str = ""
    ca: str | None = None
    problem: str | None = None


@cache
def client_context(ca: str) -> ssl.SSLContext:
    """An SSL context that trusts `ca` and verifies names, for the Python clients (one per
    file: building one costs milliseconds)."""
    return ssl.create_default_context(cafile=ca)


def local_authority(folder: Path, names: Sequence[str] = LAB_NAMES) -> Authority:
    """The authority kept in `folder`, made when it is missing; the lab's certificate issued
    again when it is missing, near its end, or does not name `names`. AuthorityError when the
    folder cannot hold it (read-only, full)."""
    authority = Authority(folder / _CA, folder / _CERT, folder / _KEY)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)  # made by an older tutor, or by hand: the keys stay the user's
        with _locked(folder):
            _clear_strays(folder)
            kept = all(path.is_file() for path in (authority.ca, authority.key, authority.cert))
            if not (
                kept
                and _current(folder / _ISSUED, names, _digest(authority.ca))
                and _whole(authority, folder / _CA_KEY)
            ):
                ca = _ca(folder)
                now = datetime.datetime.now(datetime.UTC)
                begins = now - datetime.timedelta(minutes=5)
                leaf = ca.issue_cert(
                    *names,
                    common_name="redirect-tutor lab",
                    not_before=begins,
                    not_after=now + LIFETIME,
                )
                write_text_atomically(authority.key, leaf.private_key_pem.bytes().decode(), 0o600)
                chain = "".join(blob.bytes().decode() for blob in leaf.cert_chain_pems)
                write_text_atomically(authority.cert, chain, 0o644)
                issued = {
                    "names": list(names),
                    "not_before": begins.isoformat(),
                    "not_after": (now + LIFETIME).isoformat(),
                    "ca": _digest(authority.ca),
                }
                write_text_atomically(folder / _ISSUED, json.dumps(issued) + "\n", 0o644)
    except OSError as error:
        raise AuthorityError(
            f"The lab's certificate authority cannot be kept in {folder}: {error.strerror or error}"
        ) from None
    return authority


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One process at a time makes or renews the files (two tutors starting at once)."""
    descriptor = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _ca(folder: Path) -> trustme.CA:
    """The CA kept in `folder` (a certificate and its own key), or a new one written there."""
    import trustme

    cert, key = folder / _CA, folder / _CA_KEY
    if _pair(cert, key):
        with contextlib.suppress(ValueError, TypeError):
            return trustme.CA.from_pem(cert.read_bytes(), key.read_bytes())
    ca = trustme.CA(organization_name="redirect-tutor", organization_unit_name="local lab CA")
    write_text_atomically(key, ca.private_key_pem.bytes().decode(), 0o600)
    write_text_atomically(cert, ca.cert_pem.bytes().decode(), 0o644)
    with contextlib.suppress(FileNotFoundError):
        (folder / _CERT).unlink()  # issued by a CA that is gone
    return ca


def _current(issued: Path, names: Sequence[str], ca: str) -> bool:
    """Whether the certificate `issued` describes names exactly `names`, has begun and is not
    near its end, and was issued by the CA of digest `ca` (a damaged or missing description:
    it is not). One that has not begun was issued by a clock that ran ahead, set right since:
    every client would refuse it until that day."""
    try:
        said = json.loads(issued.read_text(encoding="utf-8"))
        starts = datetime.datetime.fromisoformat(said["not_before"])
        ends = datetime.datetime.fromisoformat(said["not_after"])
        named = said["names"]
    except (OSError, ValueError, TypeError, KeyError):
        return False
    if not isinstance(named, list) or None in (starts.tzinfo, ends.tzinfo) or said.get("ca") != ca:
        return False
    now = datetime.datetime.now(datetime.UTC)
    return set(named) == set(names) and starts <= now and ends - now > RENEW


def _clear_strays(folder: Path) -> None:
    """Remove what stands in `folder` under a name of its files but is not a regular file: the
    keys would be written where a link leads (writing follows links), and reading or writing
    a FIFO would wait forever. Only the user can write in the folder (0700), so nothing comes
    back before the files are written."""
    for name in (_CA, _CA_KEY, _CERT, _KEY, _ISSUED):
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG((folder / name).lstat().st_mode):
                (folder / name).unlink()


def _digest(ca: Path) -> str:
    """The SHA-256 of the CA's certificate: which CA issued the lab's (lab.json keeps it)."""
    return hashlib.sha256(ca.read_bytes()).hexdigest()


def _pair(cert: Path, key: Path) -> bool:
    """Whether `cert` and `key` load, and the key is the one the certificate names (OpenSSL
    checks it in under a millisecond, without importing cryptography)."""
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
    except (OSError, ssl.SSLError):
        return False
    return True


def _whole(authority: Authority, ca_key: Path) -> bool:
    """Whether both certificates load with their keys: neither file of a pair was damaged or
    replaced alone."""
    return _pair(authority.ca, ca_key) and _pair(authority.cert, authority.key)
