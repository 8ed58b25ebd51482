"""What an experiment asks for: one request, one redirect code, one real client."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tutor.experiments.clients import CLIENT_NAMES

__all__ = ["BODY_METHODS", "KNOWN_CODES", "METHODS", "ExperimentSpec"]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
KNOWN_CODES = (300, 301, 302, 303, 304, 305, 306, 307, 308)
"""The 3xx codes RFC 9110 §15.4 defines (305 and 306 are deprecated and reserved)."""


class ExperimentSpec(BaseModel):
    """One live experiment: `client` sends `method` with `body` to a lab route answering `code`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: int
    method: str = "POST"
    body: str = ""
    headers: dict[str, str] = Field(default_factory=dict)
    client: str = "httpx"
    to: str = "/echo"

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: int) -> int:
        if code not in KNOWN_CODES:
            raise ValueError(f"unknown redirect code {code}: use one of 300-308")
        return code

    @field_validator("method")
    @classmethod
    def _known_method(cls, method: str) -> str:
        if method.upper() not in METHODS:
            raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
        return method.upper()

    @field_validator("client")
    @classmethod
    def _known_client(cls, client: str) -> str:
        if client not in CLIENT_NAMES:
            raise ValueError(f"unknown client {client!r}: use one of {', '.join(CLIENT_NAMES)}")
        return client

    @field_validator("to")
    @classmethod
    def _lab_path(cls, to: str) -> str:
        if not to.startswith("/") or to.startswith("//"):
            raise ValueError(f"'to' is a path on the lab starting with '/', not {to!r}")
        return to
