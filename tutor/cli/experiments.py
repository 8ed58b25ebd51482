"""Live experiments from the command line: `try` (one request) and `matrix` (all of them)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from tutor.cli.group import class_join, cli, join_options, say_join_notice

if TYPE_CHECKING:
    from tutor.experiments.outcome import Outcome
    from tutor.experiments.spec import HstsFrom, Scheme
    from tutor.session.study import StudySession

__all__ = ["matrix", "try_"]


def _code(_ctx: click.Context, _param: click.Parameter, value: int) -> int:
    from tutor.experiments.spec import KNOWN_CODES

    if value not in KNOWN_CODES:
        raise click.BadParameter(f"{value} is not a redirect code the lab answers; use 300-308.")
    return value


def _client(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from tutor.experiments.clients import CLIENT_NAMES

    if value not in CLIENT_NAMES:
        raise click.BadParameter(
            f"unknown client {value!r}; choose one of {', '.join(CLIENT_NAMES)}."
        )
    return value


def _header(ctx: click.Context, _param: click.Parameter, values: Sequence[str]) -> dict[str, str]:
    """`-H 'Name: value'` as curl takes it."""
    from tutor.experiments.spec import header_fields

    try:
        return header_fields(values)
    except ValueError as error:
        _refuse(ctx, f"-H {error}.")


def _utf8(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The argument as text: bytes the terminal gave that are not UTF-8 cannot be sent as such."""
    if value is not None:
        try:
            value.encode()
        except UnicodeEncodeError:
            _refuse(ctx, f"--{param.name} holds bytes that are not UTF-8 text.")
    return value


def _refuse(ctx: click.Context, problem: str) -> NoReturn:
    """End a command whose input cannot be sent with one line, and status 2 as for click's usage
    errors: a header's text is shown as Python writes it, so no control character reaches the
    terminal."""
    click.echo(f"Error: {problem}", err=True)
    ctx.exit(2)


_SCHEME = click.option(
    "--scheme",
    type=click.Choice(["same", "upgrade", "downgrade"]),
    default="same",
    show_default=True,
    help="upgrade: from the lab's http:// to its https:// listener; downgrade: the other way.",
)


_HSTS = click.option(
    "--hsts",
    type=click.Choice(["https", "http"]),
    default=None,
    help="A browser (chromium-fetch, chromium-form) first gets Strict-Transport-Security over "
    "https (noted) or http (ignored), then sends to an http:// site that redirects with CODE.",
)


@cli.command("try", short_help="One live request through a redirect, hop by hop.")
@click.argument("code", type=int, callback=_code)
@click.option("--method", "-X", default="POST", show_default=True, help="The request method.")
@click.option(
    "--client",
    "-c",
    default="httpx",
    show_default=True,
    callback=_client,
    help="The real client that sends it.",
)
@click.option(
    "--body",
    "-d",
    default=None,
    callback=_utf8,
    help="The request body [default: a=1 for methods that carry one].",
)
@click.option(
    "--header",
    "-H",
    "headers",
    multiple=True,
    callback=_header,
    help="Add a header, 'Name: value'.",
)
@_SCHEME
@_HSTS
@click.option(
    "--headers",
    "all_headers",
    is_flag=True,
    help="Under each request, every header field it carried, marked when added, dropped or "
    "changed since the request before (without it: only what changed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the trace.")
@join_options()
def try_(
    code: int,
    method: str,
    client: str,
    body: str | None,
    headers: dict[str, str],
    scheme: Scheme,
    hsts: HstsFrom | None,
    all_headers: bool,
    as_json: bool,
) -> None:
    """Send one request through a CODE redirect on a fresh local lab (or the class lab, with
    --join) and show what arrived."""
    import json

    from pydantic import ValidationError

    from tutor.experiments.spec import BODY_METHODS, ExperimentSpec, problems
    from tutor.session.factory import make_session
    from tutor.session.lab import LabUnavailable

    method = method.upper()
    if body is None:
        body = "a=1" if method in BODY_METHODS else ""
    try:
        spec = ExperimentSpec(
            code=code,
            method=method,
            body=body,
            headers=headers,
            client=client,
            scheme=scheme,
            hsts=hsts,
        )
    except ValidationError as error:
        _refuse(click.get_current_context(), "; ".join(problems(error)))
    session = make_session(join=class_join())
    try:
        _start(session, [client])
        with session.lab as lab:
            say_join_notice(session)
            outcome = lab.run(spec)
    except LabUnavailable as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(outcome.to_json(), indent=2))
    else:
        _print_trace(outcome, all_headers=all_headers)
    if outcome.client_version is None:
        sys.exit(1)


def _start(session: StudySession, names: Sequence[str]) -> None:
    """Start the session's lab while the clients `names` get ready (their versions; httpx its
    SSL context): neither waits for the other. LabUnavailable says why the lab did not start."""
    from tutor.experiments.clients import get
    from tutor.experiments.clients.side_by_side import side_by_side

    calls = [session.lab.start, *(get(name).prepare for name in names)]
    side_by_side(calls, len(calls), "start")


def _names(
    kind: str,
    allowed: Callable[[], Sequence[str]],
    convert: Callable[[str], Any] = str,
    normalize: Callable[[str], str] = str,
) -> Callable[[click.Context, click.Parameter, Sequence[str]], tuple[Any, ...] | None]:
    """A click callback for a comma-separated list drawn from `allowed()` (looked up late), each
    part `normalize`d before the check and `convert`ed after it. The option may be given more
    than once (`--clients curl --clients node`): the lists are merged, in order, once each."""

    def parse(_ctx: click.Context, _param: click.Parameter, values: Sequence[str]) -> tuple | None:
        if not values:
            return None
        parts = (normalize(part.strip()) for value in values for part in value.split(","))
        chosen = tuple(dict.fromkeys(part for part in parts if part))
        unknown = [part for part in chosen if part not in allowed()]
        if unknown or not chosen:
            raise click.BadParameter(
                f"unknown {kind} {', '.join(unknown) or '(none given)'}; "
                f"choose from {', '.join(allowed())}."
            )
        return tuple(convert(part) for part in chosen)

    return parse


def _client_names() -> Sequence[str]:
    from tutor.experiments.clients import CLIENT_NAMES

    return CLIENT_NAMES


def _code_names() -> Sequence[str]:
    from tutor.experiments.spec import KNOWN_CODES

    return [str(code) for code in KNOWN_CODES]


def _method_names() -> Sequence[str]:
    from tutor.experiments.spec import METHODS

    return METHODS


@cli.command(short_help="Every client, code and method side by side, live.")
@click.option(
    "--clients",
    "client_names",
    multiple=True,
    callback=_names("client", _client_names),
    help="Comma-separated clients; may be repeated [default: every installed one].",
)
@click.option(
    "--codes",
    multiple=True,
    callback=_names("code", _code_names, int),
    help="Comma-separated codes; may be repeated [default: 301,302,303,307,308].",
)
@click.option(
    "--methods",
    multiple=True,
    callback=_names("method", _method_names, normalize=str.upper),
    help="Comma-separated methods; may be repeated [default: POST,...,HEAD].",
)
@_SCHEME
@click.option("--json", "as_json", is_flag=True, help="Print the list of outcomes as JSON.")
@join_options()
def matrix(
    client_names: tuple[str, ...] | None,
    codes: tuple[int, ...] | None,
    methods: tuple[str, ...] | None,
    scheme: Scheme,
    as_json: bool,
) -> None:
    """Every client, code and method, live on a fresh lab: who keeps what across a redirect.
    Across a change of scheme (--scheme), each request carries Authorization and Cookie too."""
    import json
    import time

    from tutor.experiments import clients
    from tutor.experiments import matrix as grid
    from tutor.session.factory import make_session
    from tutor.session.lab import LabUnavailable

    codes = codes or grid.CODES
    methods = methods or grid.METHODS
    session = make_session(join=class_join())
    started = time.perf_counter()
    try:
        _start(session, client_names or clients.CLIENT_NAMES)
        with session.lab as lab:
            say_join_notice(session)
            if client_names is None:
                client_names = clients.installed()
            outcomes = lab.run_many(grid.matrix_specs(client_names, codes, methods, scheme))
            took = time.perf_counter() - started
    except LabUnavailable as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps([outcome.to_json() for outcome in outcomes], indent=2))
        return
    _print_matrix(outcomes, codes, methods, took, scheme)


def _print_matrix(
    outcomes: Sequence[Outcome],
    codes: Sequence[int],
    methods: Sequence[str],
    took: float,
    scheme: Scheme,
) -> None:
    from tutor.experiments import clients
    from tutor.experiments.matrix import BODY, CARRIED_LEGEND, LEGEND, Cell, cell, cell_text
    from tutor.experiments.spec import BODY_METHODS

    colour = {
        Cell.KEPT: "green",
        Cell.BECAME_GET: "yellow",
        Cell.BODY_DROPPED: "magenta",
        Cell.CHANGED: "yellow",
        Cell.REFUSED: "red",
        Cell.NOT_FOLLOWED: "red",
        Cell.CANNOT: "bright_black",
        Cell.ABSENT: "bright_black",
    }
    names = list(dict.fromkeys(outcome.client for outcome in outcomes))
    versions = {outcome.client: outcome.client_version for outcome in outcomes}
    found = {(o.client, o.method, o.code): o for o in outcomes}
    titles = {m: f'{m} (body "{BODY}")' if m in BODY_METHODS else m for m in methods}
    width = 1 + max(
        *(len(f"  {n} {versions[n] or ''}") for n in names), *(len(t) for t in titles.values())
    )
    counted = ", ".join(
        _count(len(items), noun)
        for items, noun in ((names, "client"), (codes, "code"), (methods, "method"))
    )
    across = {
        "upgrade": " Each went from http:// to https://, carrying Authorization and Cookie.",
        "downgrade": " Each went from https:// to http://, carrying Authorization and Cookie.",
    }.get(scheme, "")
    click.echo(
        f"{counted}: {_count(len(outcomes), 'request')}, live, in {took:.1f} s. "
        f"Each cell: the method that arrived.{across}\n"
    )
    for method in methods:
        header = titles[method].ljust(width) + "".join(f"{c:<9}" for c in codes)
        click.echo(click.style(header.rstrip(), bold=True))
        for name in names:
            cells = [found[(name, method, code)] for code in codes]
            row = f"  {name} {versions[name] or ''}".ljust(width)
            texts = [cell_text(o) for o in cells]
            padded = [text.ljust(9) for text in texts[:-1]] + texts[-1:]
            row += "".join(
                click.style(text, fg=colour[cell(o)]) for text, o in zip(padded, cells, strict=True)
            )
            click.echo(row)
        click.echo()
    line, shown = "", 0
    for kind, text in LEGEND.items():
        if shown and shown + len(text) + 2 > 79:
            click.echo(line)
            line, shown = "", 0
        line += ("  " if shown else "") + click.style(text, fg=colour[kind])
        shown += len(text) + (2 if shown else 0)
    click.echo(line)
    if across:
        click.echo(CARRIED_LEGEND)
    for name in names:
        if versions[name] is None:
            client = clients.get(name)
            click.echo(f"{name}: not installed (install: {client.install_hint})")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


_HEADER_COLOURS = {"added": "green", "dropped": "red", "changed": "yellow"}


def _print_trace(outcome: Outcome, *, all_headers: bool) -> None:
    from tutor.lab.evidence import VerdictKind, size_text
    from tutor.lab.header_changes import TAG_WIDTH, TAGS, Change, compared, header_lines
    from tutor.lab.journal import shows_schemes, without_tokens
    from tutor.lab.printable import one_line

    sent = (
        f', body "{one_line(outcome.body)}" ({len(outcome.body.encode())} bytes)'
        if outcome.body
        else ""
    )
    click.echo(
        f"{outcome.method} answered with {outcome.spec.first_answer}, sent by "
        f"{outcome.client} {outcome.client_version or '(not installed)'}{sent}\n"
    )
    schemes = shows_schemes(outcome.hops)
    for index, (hop, before) in enumerate(
        zip(outcome.hops, compared(outcome.hops), strict=True), 1
    ):
        where = f"{hop.scheme:<6}" if schemes else ""
        request = one_line(f"{where}{hop.method} {without_tokens(hop.path)}")
        answer = hop.answer
        if hop.location:
            answer += f" -> {one_line(without_tokens(hop.location))}"
        click.echo(f"  {index}. {request:<22} {size_text(hop.body_size):>9}   {answer}")
        for line in header_lines(hop, before):
            if not all_headers and not TAGS[line.change]:
                continue
            field = f"{one_line(line.name)}: {one_line(without_tokens(line.shown))}"
            if line.change is Change.CHANGED:
                field += f" (was {one_line(without_tokens(line.was or ''))})"
            tag = click.style(
                f"{TAGS[line.change]:<{TAG_WIDTH}}", fg=_HEADER_COLOURS.get(line.change)
            )
            click.echo(f"       {tag}  {field}")
    if outcome.hops:
        click.echo()
    if outcome.header_fates:
        click.echo(one_line(outcome.header_fates))
    if outcome.said:
        click.echo(click.style("Client said: ", bold=True) + one_line(without_tokens(outcome.said)))
    colour = {
        VerdictKind.KEPT: "green",
        VerdictKind.REFUSED: "red",
        VerdictKind.NOT_FOLLOWED: "red",
        VerdictKind.UNAVAILABLE: "bright_black",
    }.get(outcome.verdict.kind, "yellow")
    verdict = click.style(one_line(outcome.verdict.text), fg=colour)
    click.echo(click.style("Verdict: ", bold=True) + verdict)
