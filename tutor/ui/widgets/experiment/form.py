"""The experiment form: what the next run sends, through which redirect, with which client:
everything a lesson's experiment can say."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Collapsible, Input, Label, Select, TextArea

from tutor.experiments.clients import CLIENT_NAMES
from tutor.lab.journal import reason
from tutor.lab.printable import one_line
from tutor.ui.literal import literal

if TYPE_CHECKING:
    from tutor.experiments.spec import ExperimentSpec, Scheme

__all__ = ["CACHES", "HSTS", "LOCATIONS", "SCHEME_LABELS", "Choice", "ExperimentForm"]

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


def _same(values: Sequence[str], *, keep: str) -> list[tuple[str | Text, object]]:
    """A drop-down's options that show their value, with `keep` (the lesson's) among them."""
    return [(value, value) for value in dict.fromkeys((*values, keep))]


LOCATIONS = ("path", "relative", "dots", "query", "absolute", "twice", "invalid", "spaces", "none")
"""ExperimentSpec.location: how the lab writes its Location."""
CACHES = ("no-store", "none", "max-age=0", "max-age=60", "max-age=31536000")
"""Cache-Control on the redirect: the lab's own no-store, none, or a lifetime (RFC 9111)."""
HSTS = {"off": "off", "https": "noted over https", "http": "sent over http"}
"""ExperimentSpec.hsts: whether a browser first gets Strict-Transport-Security, and how."""


_WORDS = {"to": "target", "redirect": "fetch mode", "hsts": "HSTS"}
"""How Choice.differences names a field whose name is not the form's label."""


@dataclass(frozen=True, slots=True)
class Choice:
    """What the learner picked: the fields of an ExperimentSpec the form can change (a lesson's
    `start` route is kept as the lesson has it)."""

    code: int | None
    """None: the experiment starts at a route with an answer of its own (201 + Location...)."""
    method: str
    body: str
    client: str
    scheme: Scheme
    headers: str = ""
    """One "Name: value" a line, as curl's -H takes it."""
    to: str = "/echo"
    location: str = "path"
    origin: str = "same"
    cache: str = "no-store"
    loop: bool = False
    stream: bool = False
    repeat: int = 1
    fragment: str = ""
    redirect: str = "follow"
    hsts: str = "off"

    @classmethod
    def of(cls, spec: ExperimentSpec) -> Choice:
        """What the form shows for `spec` (a lesson's experiment, or one that ran)."""
        return cls(
            code=spec.code,
            method=spec.method,
            body=spec.body,
            client=spec.client,
            scheme=spec.scheme,
            headers="\n".join(f"{name}: {value}" for name, value in spec.headers.items()),
            to=spec.to,
            location=spec.location,
            origin=spec.origin,
            cache=spec.cache or "no-store",
            loop=spec.loop,
            stream=spec.stream,
            repeat=spec.repeat,
            fragment=spec.fragment,
            redirect=spec.redirect,
            hsts=spec.hsts or "off",
        )

    def spec_fields(self) -> dict[str, object]:
        """The ExperimentSpec fields this choice sets; ValueError for a header line that is no
        "Name: value"."""
        from tutor.experiments.spec import header_fields

        values = {field.name: getattr(self, field.name) for field in fields(self)}
        lines = [line for line in self.headers.splitlines() if line.strip()]
        return {
            **values,
            "headers": header_fields(lines),
            "hsts": None if self.hsts == "off" else self.hsts,
        }

    def differences(self, other: Choice) -> list[str]:
        """The settings, in the form's words, where this choice is not `other`."""
        return [
            _WORDS.get(field.name, field.name)
            for field in fields(self)
            if getattr(self, field.name) != getattr(other, field.name)
        ]

    @property
    def more(self) -> list[str]:
        """What it sets beyond code, client, method, scheme and body, in the form's words."""
        return self.differences(Choice(self.code, self.method, self.body, self.client, self.scheme))


def _more_title(choice: Choice) -> str:
    """The folded part's title: what it holds, or what of it this experiment sets."""
    if more := choice.more:
        return f"More: this experiment sets {', '.join(more)}"
    return "More: headers, Location, cache, loop, HSTS…"


class ExperimentForm(Widget):
    """Code and client, method and scheme, then body and a Run button: Tab goes through in that
    order. Under them, folded (Enter on its title unfolds it), the rest of what a lesson can ask
    for: header fields, Location, origin, target, cache, loop, stream, repeat, fragment, fetch's
    redirect mode and HSTS."""

    class RunRequested(Message):
        """The learner asked to run the experiment (Run button, or Enter in the body)."""

    class Changed(Message):
        """A setting of the form changed: a result on screen may no longer be of this form."""

    def __init__(self, choice: Choice, *, answer: str = "", id: str | None = None) -> None:
        """`answer`: what the lab answers when `choice` has no code to choose."""
        super().__init__(id=id)
        self._choice = choice
        self._answer = answer

    def compose(self) -> ComposeResult:
        # Imported here: the spec module pulls in the lab's, which must not slow the first screen.
        from tutor.experiments.clients.base import REDIRECT_MODES
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
        with Collapsible(title=_more_title(choice), id="more"):
            with Horizontal(classes="form-row -tall"):
                yield Label("Headers", classes="form-label")
                yield TextArea(
                    choice.headers,
                    compact=True,
                    soft_wrap=False,
                    placeholder="Name: value, one a line (e.g. Authorization: Bearer x)",
                    id="headers",
                )
            with Horizontal(classes="form-row"):
                yield Label("Location", classes="form-label")
                yield _select(_same(LOCATIONS, keep=choice.location), choice.location, "location")
                yield Label("Origin", classes="form-label")
                yield _select(_same(("same", "other"), keep=choice.origin), choice.origin, "origin")
                yield Label("To", classes="form-label")
                yield Input(choice.to, compact=True, id="to")
            with Horizontal(classes="form-row"):
                yield Label("Cache", classes="form-label")
                yield _select(_same(CACHES, keep=choice.cache), choice.cache, "cache")
                yield Label("Repeat", classes="form-label")
                yield _select([(str(n), n) for n in (1, 2, 3)], choice.repeat, "repeat")
                yield Checkbox("Loop", choice.loop, compact=True, id="loop")
                yield Checkbox("Stream", choice.stream, compact=True, id="stream")
            with Horizontal(classes="form-row"):
                yield Label("Fragment", classes="form-label")
                yield Input(choice.fragment, placeholder="none", compact=True, id="fragment")
                yield Label("fetch", classes="form-label")
                modes = _same(REDIRECT_MODES, keep=choice.redirect)
                yield _select(modes, choice.redirect, "redirect")
                yield Label("HSTS", classes="form-label")
                yield _select(
                    list((label, key) for key, label in HSTS.items()), choice.hsts, "hsts"
                )

    @property
    def choice(self) -> Choice:
        codes = self.query("#code").results(Select)

        def picked(id: str) -> Any:
            return self.query_one(f"#{id}", Select).value

        def typed(id: str) -> str:
            return self.query_one(f"#{id}", Input).value

        return Choice(
            code=next((select.value for select in codes), None),  # type: ignore[arg-type]
            method=picked("method"),
            body=typed("body"),
            client=picked("client"),
            scheme=picked("scheme"),
            headers=self.query_one("#headers", TextArea).text,
            to=typed("to"),
            location=picked("location"),
            origin=picked("origin"),
            cache=picked("cache"),
            loop=self.query_one("#loop", Checkbox).value,
            stream=self.query_one("#stream", Checkbox).value,
            repeat=picked("repeat"),
            fragment=typed("fragment"),
            redirect=picked("redirect"),
            hsts=picked("hsts"),
        )

    def mark_clients(self, versions: Mapping[str, str | None]) -> None:
        """Label each client with its version, or as not installed, keeping the selection."""
        select = self.query_one("#client", Select)
        chosen = select.value
        select.set_options(  # a version is what a program printed: never markup
            (Text(one_line(f"{name} {version}" if version else f"{name} (not installed)")), name)
            for name, version in ((name, versions.get(name)) for name in CLIENT_NAMES)
        )
        with select.prevent(Select.Changed):
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

    @on(Select.Changed)
    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.post_message(self.Changed())
