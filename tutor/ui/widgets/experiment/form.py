"""The experiment form: which code, client, method, scheme and body the next run uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select

from tutor.experiments.clients import CLIENT_NAMES
from tutor.lab.journal import reason
from tutor.lab.printable import one_line
from tutor.ui.literal import literal

if TYPE_CHECKING:
    from tutor.experiments.spec import ExperimentSpec, Scheme

__all__ = ["SCHEME_LABELS", "Choice", "ExperimentForm"]

SCHEME_LABELS: dict[Scheme, str] = {
    "same": "same",
    "upgrade": "upgrade (http → https)",
    "downgrade": "downgrade (https → http)",
}
"""The form's words for ExperimentSpec.scheme: whether the redirect leads to the other
listener of the lab, the TLS one or the plain one."""


def _select(options: Sequence[tuple[str | Text, object]], value: object, id: str) -> Select[object]:
    """One of the form's compact, never-blank drop-downs."""
    return Select(options, value=value, allow_blank=False, compact=True, id=id)


@dataclass(frozen=True, slots=True)
class Choice:
    """What the learner picked: the fields of an ExperimentSpec the form can change."""

    code: int | None
    """None: the experiment starts at a route with an answer of its own (201 + Location...)."""
    method: str
    body: str
    client: str
    scheme: Scheme

    @classmethod
    def of(cls, spec: ExperimentSpec) -> Choice:
        """What the form shows for `spec` (a lesson's experiment, or one that ran)."""
        return cls(spec.code, spec.method, spec.body, spec.client, spec.scheme)


class ExperimentForm(Widget):
    """Code and client, method and scheme, then body and a Run button: Tab goes through in that
    order."""

    class RunRequested(Message):
        """The learner asked to run the experiment (Run button, or Enter in the body)."""

    def __init__(self, choice: Choice, *, answer: str = "", id: str | None = None) -> None:
        """`answer`: what the lab answers when `choice` has no code to choose."""
        super().__init__(id=id)
        self._choice = choice
        self._answer = answer

    def compose(self) -> ComposeResult:
        # Imported here: the spec module pulls in pydantic, which must not slow the first screen.
        from tutor.experiments.spec import KNOWN_CODES, METHODS

        choice = self._choice
        with Horizontal(classes="form-row"):
            yield Label("Code", classes="form-label")
            if choice.code is None:
                yield Label(literal(self._answer), id="answer")
            else:
                yield _select(
                    [(f"{code} {reason(code)}", code) for code in KNOWN_CODES], choice.code, "code"
                )
            yield Label("Client", classes="form-label")
            yield _select([(name, name) for name in CLIENT_NAMES], choice.client, "client")
        with Horizontal(classes="form-row"):
            yield Label("Method", classes="form-label")
            yield _select([(method, method) for method in METHODS], choice.method, "method")
            yield Label("Scheme", classes="form-label")
            schemes = [(label, scheme) for scheme, label in SCHEME_LABELS.items()]
            yield _select(schemes, choice.scheme, "scheme")
        with Horizontal(classes="form-row"):
            yield Label("Body", classes="form-label")
            yield Input(choice.body, placeholder="empty: no body", compact=True, id="body")
            yield Button("Run", compact=True, variant="primary", id="run")

    @property
    def choice(self) -> Choice:
        codes = self.query("#code").results(Select)
        return Choice(
            code=next((select.value for select in codes), None),  # type: ignore[arg-type]
            method=self.query_one("#method", Select).value,  # type: ignore[arg-type]
            body=self.query_one("#body", Input).value,
            client=self.query_one("#client", Select).value,  # type: ignore[arg-type]
            scheme=self.query_one("#scheme", Select).value,  # type: ignore[arg-type]
        )

    def mark_clients(self, versions: Mapping[str, str | None]) -> None:
        """Label each client with its version, or as not installed, keeping the selection."""
        select = self.query_one("#client", Select)
        chosen = select.value
        select.set_options(  # a version is what a program printed: never markup
            (Text(one_line(f"{name} {version}" if version else f"{name} (not installed)")), name)
            for name, version in ((name, versions.get(name)) for name in CLIENT_NAMES)
        )
        select.value = chosen
        # set_options may have picked `chosen` already, and then no watcher redraws its label.
        select.mutate_reactive(Select.value)  # type: ignore[misc]  # Textual's documented idiom

    def set_running(self, running: bool) -> None:
        # Relabelled, not disabled: disabling the focused button would throw the focus away.
        self.query_one("#run", Button).label = "Running…" if running else "Run"

    @on(Button.Pressed, "#run")
    @on(Input.Submitted, "#body")
    def _run(self, event: Message) -> None:
        event.stop()
        self.post_message(self.RunRequested())
