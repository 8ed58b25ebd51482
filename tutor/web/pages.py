"""The pages `web` answers itself: the door (a name, and the code off loopback), plain notices,
and the terminal page. Nothing on them comes from another host: the tutor must work offline.
"""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files
from string import Template

from tutor.web.learners import NAME_RULE

__all__ = ["door_page", "notice_page", "terminal_page"]

_PLAIN = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
body { font: 18px/1.5 system-ui, sans-serif; max-width: 34em; margin: 3em auto; padding: 0 1em; }
label { display: block; margin: 1em 0 0; }
input { font: inherit; font-family: monospace; padding: .3em; width: 100%; box-sizing: border-box; }
small { color: #555; }
button { font: inherit; margin-top: 1em; padding: .4em 1.5em; }
.message { font-weight: bold; }
</style>
</head>
<body>
<h1>$title</h1>
$body
</body>
</html>
""")


def _page(title: str, body: str) -> str:
    return _PLAIN.substitute(title=html.escape(title), body=body)


def door_page(*, needs_code: bool, message: str = "") -> str:
    """The form a visitor fills in once: their name, and the access code when one is needed."""
    code = (
        '<label for="code">Access code (your teacher has it)</label>\n'
        '<input id="code" name="code" required autocomplete="off" autocapitalize="characters">\n'
        if needs_code
        else ""
    )
    body = (
        (f'<p class="message">{html.escape(message)}</p>\n' if message else "")
        + '<form method="post" action="/enter">\n'
        '<label for="name">Your name</label>\n'
        '<input id="name" name="name" required maxlength="32" pattern="[A-Za-z0-9_\\-]+" '
        'autocomplete="username" autofocus>\n'
        f"<small>A name is {html.escape(NAME_RULE)}. Use the same one next time to carry on "
        "where you left off.</small>\n"
        f"{code}"
        '<button type="submit" id="enter">Start</button>\n'
        "</form>"
    )
    return _page("redirect-tutor", body)


def notice_page(title: str, message: str) -> str:
    """A page that only says something (the class is full, too many wrong codes) and links back."""
    return _page(
        title, f'<p class="message">{html.escape(message)}</p>\n<p><a href="/">Back</a></p>'
    )


@cache
def _terminal() -> Template:
    return Template(files("tutor.web").joinpath("terminal.html").read_text(encoding="utf-8"))


def terminal_page(title: str, font_size: int) -> str:
    """textual-serve's terminal, with its fonts served here instead of by a font CDN."""
    return _terminal().substitute(title=html.escape(title), font_size=font_size)
