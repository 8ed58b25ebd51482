"""What a client said it received: its own word, shown beside the lab's witness, never instead.

fetch() hands a script a Response, and what that Response says is the client's report, not
what arrived: with `redirect: "manual"` a browser's is an "opaque-redirect filtered response"
(type "opaqueredirect", status 0) while Node's is the real 3xx; `redirected` is true once a
redirect was followed (https://fetch.spec.whatwg.org/#concept-filtered-response-opaque-redirect).
A browser also logs the redirects it makes up itself, such as Chromium's "307 Internal Redirect"
for a host on its HSTS list (its net log); that too is its word, never what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Reported"]


@dataclass(frozen=True, slots=True)
class Reported:
    """The answer a client handed its caller (for fetch(): the Response's fields; for a form,
    the status its browser logged), and the redirect it made up itself."""

    status: int
    type: str | None = None
    """fetch()'s Response.type: "basic", "cors", "opaqueredirect", ..."""
    redirected: bool | None = None
    """fetch()'s Response.redirected: whether the answer came after following a redirect."""
    location: str | None = None
    """The Location header as the caller could read it (None: absent or hidden from it)."""
    internal: str | None = None
    """A redirect the client made up before sending anything, as it logged it, e.g. "307
    Internal Redirect with Non-Authoritative-Reason: HSTS"."""

    @property
    def text(self) -> str:
        """E.g. "status 307, type basic, not redirected, Location /echo?chain=..."."""
        parts = [f"status {self.status}"]
        if self.type is not None:
            parts.append(f"type {self.type}")
        if self.redirected is not None:
            parts.append("redirected" if self.redirected else "not redirected")
        parts.append(
            "no Location visible" if self.location is None else f"Location {self.location}"
        )
        if self.internal is not None:
            parts.append(f"after its own {self.internal}")
        return ", ".join(parts)

    @classmethod
    def from_json(cls, value: object) -> Reported | None:
        """A report as a client program printed it (JSON); None when it is not one."""
        if not isinstance(value, dict):
            return None
        status, type_ = value.get("status"), value.get("type")
        redirected, location = value.get("redirected"), value.get("location")
        internal = value.get("internal")
        internal = internal if isinstance(internal, str) else None
        if not isinstance(status, int) or isinstance(status, bool):
            return None
        return cls(
            status,
            type_ if isinstance(type_, str) else None,
            redirected if isinstance(redirected, bool) else None,
            location if isinstance(location, str) else None,
            internal,
        )

    def to_json(self) -> dict[str, object]:
        """The report as JSON; `internal` only when the client made up a redirect."""
        made_up = {} if self.internal is None else {"internal": self.internal}
        return {
            "status": self.status,
            "type": self.type,
            "redirected": self.redirected,
            "location": self.location,
            **made_up,
        }
