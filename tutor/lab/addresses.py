"""The addresses students type to reach a lab served beyond loopback, found without any traffic."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from functools import lru_cache

__all__ = ["counted_as", "hand_out_urls", "http_url", "is_loopback"]

_WILDCARDS = ("0.0.0.0", "::", "")
_NO_TRAFFIC_PROBE = ("192.0.2.1", 9)
"""TEST-NET-1 (RFC 5737): connecting a UDP socket picks the outgoing interface, sends nothing."""


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host` (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@lru_cache(maxsize=4096)
def counted_as(address: str) -> str:
    """The client that per-client limits count for `address`: the address itself, or for IPv6
    its /64, since one machine is given a whole /64 and picks any address in it (RFC 4291).
    Remembered: the lab asks it of every connection and every request it journals or forgets,
    and a class has a few dozen addresses."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        if not ip.is_loopback:
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def http_url(address: str, port: int) -> str:
    """The lab's URL at `address` and `port` (an IPv6 address in brackets)."""
    return f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"


def _interface_addresses(ipv6: bool) -> list[str]:
    """Every non-loopback address of this machine that the stdlib can see."""
    found: list[str] = []
    family = socket.AF_INET6 if ipv6 else socket.AF_INET
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, family):
            found.append(str(info[4][0]))
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(_NO_TRAFFIC_PROBE)
        found.append(probe.getsockname()[0])
    usable = []
    for address in dict.fromkeys(found):
        ip = ipaddress.ip_address(address.split("%")[0])
        if not (ip.is_loopback or ip.is_unspecified or ip.is_link_local):
            usable.append(address)
    return usable


def hand_out_urls(host: str, port: int) -> list[str]:
    """The lab's URLs as students on other machines would type them; [] on loopback."""
    if is_loopback(host):
        return []
    if host not in _WILDCARDS:
        return [http_url(host, port)]
    return [http_url(address, port) for address in _interface_addresses(ipv6=host == "::")]
