"""The ladder diagram: every request and answer of a redirect chain as an arrow, changes marked."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from tutor.lab.cors import is_preflight
from tutor.lab.evidence import SECRETS
from tutor.lab.header_changes import TAG_WIDTH, TAGS, Change, HeaderLine, compared, header_lines
from tutor.lab.journal import Hop, shows_schemes, without_tokens
from tutor.lab.printable import one_line

__all__ = [
    "BODY_CHANGED",
    "HEADER_STYLES",
    "IN_CLEAR",
    "METHOD_CHANGED",
    "SCHEME_DOWN",
    "SCHEME_UP",
    "Ladder",
    "body_change",
    "render_ladder",
    "scheme_style",
]

METHOD_CHANGED = "bold black on yellow"
"""The style of a method that differs from the hop before: the thing a learner must not miss."""
BODY_CHANGED = "bold dark_orange"
"""The style of a body that was dropped or altered since the hop before."""
SCHEME_UP = "bold black on green"
"""The style of a request that came over https after one over http: an upgrade."""
SCHEME_DOWN = "bold white on red"
"""The style of a request that came over http after one over https: a downgrade, where what
the client carries crosses the network in clear."""

IN_CLEAR = "bold red"
"""The style of the credentials a request carried over plain http in a chain that also used
https: what anyone on the path could read."""

HEADER_STYLES = {
    Change.SENT: "",
    Change.KEPT: "dim",
    Change.ADDED: "bold green",
    Change.DROPPED: "bold red",
    Change.CHANGED: "bold yellow",
}
"""How a header field is shown under its request: what changed since the request before stands
out, what stayed the same steps back."""

_GUTTER = 3
"""Columns left of the client's rail, for the hop number."""
_MIN_WIDTH = 40


def body_change(hop: Hop, before: Hop | None) -> str | None:
    """How `hop` treated the body of the hop `before` it: "dropped", "changed", "cut off" (the
    client hung up before all of it) or None (kept)."""
    if before is None:
        return None
    if hop.hung_up and before.body_size:
        return "cut off"
    if before.body_size and not hop.body_size:
        return "dropped"
    if hop.body_size != before.body_size or hop.body_digest != before.body_digest:
        return "changed"
    return None


def scheme_style(hop: Hop, previous: Hop | None) -> str:
    """How `hop`'s scheme is shown after the request `previous` to it: SCHEME_UP or SCHEME_DOWN
    where it changed, green for https, plain for http."""
    if previous is not None and previous.scheme != hop.scheme:
        return SCHEME_UP if hop.scheme == "https" else SCHEME_DOWN
    return "green" if hop.scheme == "https" else ""


def _scheme_mark(hop: Hop, previous: Hop | None) -> Text:
    """The scheme a request came by ("https"), or its change ("http→https")."""
    style = scheme_style(hop, previous)
    if previous is None or previous.scheme == hop.scheme:
        return Text(hop.scheme, style)
    return Text(f"{previous.scheme}→{hop.scheme}", style)


def _fit(label: Text, room: int) -> Text:
    label = label.copy()
    label.truncate(max(room, 1), overflow="ellipsis")
    return label


def _request_label(hop: Hop, before: Hop | None, scheme: Text | None) -> Text:
    label = _scheme_prefix(scheme)
    if before is not None and hop.method != before.method:
        label.append(f"{one_line(before.method)}→{one_line(hop.method)}", METHOD_CHANGED)
    else:
        label.append(one_line(hop.method), "bold")
    label.append(f" {one_line(hop.path)} · ")
    size = f"{hop.body_size} B"
    if change := body_change(hop, before):
        label.append(f"{size}, body {change}", BODY_CHANGED)
    else:
        label.append(size)
    carried = [name for name in SECRETS if hop.header(name) is not None]
    if scheme is not None and hop.scheme == "http" and carried:
        label.append(f" · in clear: {', '.join(carried)}", IN_CLEAR)
    label.append(" ")
    return label


def _preflight_label(hop: Hop, scheme: Text | None) -> Text:
    """A browser's CORS preflight: its own question, not a change of the request's method."""
    return Text.assemble(
        _scheme_prefix(scheme),
        (one_line(hop.method), "bold italic"),
        f" {one_line(hop.path)} · CORS preflight ",
    )


def _scheme_prefix(scheme: Text | None) -> Text:
    """The start of a request's label: " ", after the hop's scheme mark when there is one."""
    return Text(" ") if scheme is None else Text.assemble(" ", scheme, " ")


def _response_label(hop: Hop) -> Text:
    if hop.is_redirect:
        style = "bold cyan"
    elif 200 <= hop.status < 300:
        style = "bold green"
    else:
        style = "bold red"
    label = Text(" ")
    label.append(hop.answer, style)
    if hop.location:
        label.append(f" → {one_line(without_tokens(hop.location))}")
    label.append(" ")
    return label


def _rails(gutter: str, inner: Text) -> Text:
    return Text.assemble(gutter.ljust(_GUTTER), ("│", "dim"), inner, ("│", "dim"))


def _request_arrow(label: Text, inner: int) -> Text:
    label = _fit(label, inner - 2)
    return Text.assemble("─", label, "─" * (inner - 2 - label.cell_len), "▶")


def _response_arrow(label: Text, inner: int) -> Text:
    label = _fit(label, inner - 2)
    return Text.assemble("◀", "─" * (inner - 2 - label.cell_len), label, "─")


def render_ladder(
    hops: Sequence[Hop],
    *,
    client: str = "client",
    lab: str = "lab",
    width: int = 78,
    itself: str | None = None,
    headers: bool = False,
) -> Text:
    """Draw `hops` (as the lab saw them, in order) as a ladder `width` columns wide.

    The client's rail is on the left, the lab's on the right; each request is an arrow to the
    lab with its method and body size, each answer an arrow back with status and Location. A
    method or body that differs from the hop before is styled METHOD_CHANGED or BODY_CHANGED;
    a CORS preflight is marked as one and is no hop "before" the next request. When a hop came
    over https, each request starts with its scheme, a change of scheme is marked, and so are
    the credentials a request carried over plain http. `itself`: the scheme the client was
    asked for, when it went to another of its own accord (a browser's HSTS rewrite, RFC 6797
    §8.3): a line before the first arrow says so. `headers`: under each request, its header
    fields, each marked added, dropped or changed since the request before (or as it was).
    """
    if not hops:
        return Text("No request reached the lab.", style="dim")
    width = max(width, _MIN_WIDTH)
    inner = width - _GUTTER - 2
    title = Text(" " * _GUTTER)
    title.append(_fit(Text(one_line(client), "bold"), inner // 2))
    lab_title = _fit(Text(one_line(lab), "bold"), inner // 2)
    title.append(" " * (width - title.cell_len - lab_title.cell_len))
    title.append(lab_title)
    lines = [title]
    if itself is not None and itself != hops[0].scheme:
        went = hops[0].scheme
        text = f"↻ the client's own redirect, {itself} → {went}: nothing went over {itself}"
        lines.append(_rails("", _note(text, "bold green", inner)))
    previous: Hop | None = None
    schemes = shows_schemes(hops)
    for number, (hop, before) in enumerate(zip(hops, compared(hops), strict=True), 1):
        preflight = is_preflight(hop.method, hop.headers)
        scheme = _scheme_mark(hop, previous) if schemes else None
        request = (
            _preflight_label(hop, scheme) if preflight else _request_label(hop, before, scheme)
        )
        lines.append(_rails(f"{number:>2}", _request_arrow(request, inner)))
        if headers:
            lines += [
                _rails("", _note_text(_header_text(line), inner))
                for line in header_lines(hop, before)
            ]
        if hop.hung_up:  # no answer to draw: the client was gone
            text = f"✗ the client hung up {hop.hang_up_point}; the lab answered nothing"
            lines.append(_rails("", _note(text, "bold red", inner)))
        else:
            lines.append(_rails("", _response_arrow(_response_label(hop), inner)))
        previous = hop
    if hops[-1].is_redirect:
        lines.append(_rails("", _note("the client sent nothing more", "dim italic", inner)))
    return Text("\n").join(lines)


def _note(text: str, style: str, inner: int) -> Text:
    """A line between the rails that is no arrow: what happened instead of one."""
    return _note_text(Text(f" {text}", style), inner)


def _note_text(text: Text, inner: int) -> Text:
    note = _fit(text, inner)
    return Text.assemble(note, " " * (inner - note.cell_len))


def _header_text(line: HeaderLine) -> Text:
    """One header field under its request, e.g. " - dropped  authorization: Bearer x"."""
    style = HEADER_STYLES[line.change]
    text = Text(f" {TAGS[line.change]:<{TAG_WIDTH}}  ", style)
    text.append(f"{one_line(line.name)}: {one_line(without_tokens(line.shown))}", style)
    if line.change is Change.CHANGED:
        text.append(f" (was {one_line(without_tokens(line.was or ''))})", "dim")
    return text


class Ladder(Widget):
    """The ladder of the last experiment, redrawn to the widget's width."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hops: tuple[Hop, ...] | None = None
        self._client = "client"
        self._lab = "lab"
        self._itself: str | None = None
        self.headers = False
        """Whether each request's header fields are drawn under it."""

    def show(
        self, hops: Sequence[Hop], *, client: str, lab: str, itself: str | None = None
    ) -> None:
        """`itself`: as for render_ladder."""
        self._hops = tuple(hops)
        self._client = client
        self._lab = lab
        self._itself = itself
        self.refresh(layout=True)

    def toggle_headers(self) -> None:
        self.headers = not self.headers
        self.refresh(layout=True)

    def render(self) -> Text:
        if self._hops is None:
            return Text("The ladder of hops appears here after a run.", style="dim")
        return render_ladder(
            self._hops,
            client=self._client,
            lab=self._lab,
            width=self.content_size.width,
            itself=self._itself,
            headers=self.headers,
        )
