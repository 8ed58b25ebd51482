"""Shared fixtures: a real lab server on a free loopback port, a learner's session on it, and a
learner's record per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tutor.experiments import clients
from tutor.experiments.clients.base import Client
from tutor.lab.authority import local_authority
from tutor.lab.server import LabServer
from tutor.session.factory import make_session
from tutor.session.study import StudySession


@pytest.fixture(autouse=True)
def learner_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test (and every tutor it starts) keeps its learner's record in a fresh folder."""
    home = tmp_path_factory.mktemp("learner")
    monkeypatch.setenv("REDIRECT_TUTOR_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """The real lab (uvicorn on 127.0.0.1, free ports: two plain, one TLS with a CA of its own),
    shared by the whole session."""
    authority = local_authority(tmp_path_factory.mktemp("lab-ca") / "tls")
    with LabServer(authority=authority) as server:
        yield server


@pytest.fixture
def study(lab: LabServer) -> Iterator[StudySession]:
    """A learner's session, from the one factory, on the shared lab (left running after it)."""
    session = make_session(lab=lab)
    yield session
    session.close()


@pytest.fixture
def installed() -> Callable[[str], Client]:
    """The client registered under a name; the test fails (never skips) when it is missing here."""

    def client(name: str) -> Client:
        found = clients.get(name)
        assert found.version() is not None, (
            f"{name} is not installed here (install: {found.install_hint}; .ci/run installs it)"
        )
        return found

    return client
