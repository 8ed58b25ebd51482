"""A reference card as one Markdown document: the Reference screen renders it, `card` prints it.

One text for both, so the screen and the plain command never tell a learner different things.
Links are written out (`<https://...>`) so that the URL survives as plain text.
"""

from __future__ import annotations

from tutor.course.cards import Card, Framework, Section, Snippet
from tutor.lab.journal import reason

__all__ = ["FRAMEWORK_NAMES", "card_markdown", "status_line"]

FRAMEWORK_NAMES: dict[Framework, str] = {
    "express": "Express",
    "node-http": "Node.js http",
    "python-http": "Python http.server (standard library)",
    "flask": "Flask",
    "fastapi": "FastAPI / Starlette",
    "django": "Django",
    "go": "Go net/http",
    "nginx": "nginx",
}


def status_line(code: int) -> str:
    """`307 Temporary Redirect`: a code and its reason phrase, as RFC 9110 names it."""
    return f"{code} {reason(code)}"


def card_markdown(card: Card) -> str:
    """The whole card: the RFC's words, plain English, the traps, snippets, FAQ and sources."""
    titles = {citation.id: citation.title for citation in card.citations}
    quote = card.rfc.text.strip().replace("\n", " ")
    parts = [
        f"# {card.code} {card.name}",
        f"> {quote}\n>\n> — {titles[card.rfc.cite]}",
        _section("In plain English", card.plain, titles),
        _section("The common misinterpretation", card.misconception, titles),
        _section("When to use it", card.when_to_use, titles),
        _section("Caching", card.caching, titles),
        _section("SEO", card.seo, titles),
        *([_section("HTTPS", card.https, titles)] if card.https else []),
        "## Commonly confused with\n\n"
        + "\n".join(
            f"- **{status_line(c.code)}**: {c.difference.strip()}" for c in card.confused_with
        ),
        "## FAQ\n\n"
        + "\n\n".join(
            f"**{answer.question.strip()}**\n\n{answer.answer.strip()}{_cited(answer.cite, titles)}"
            for answer in card.faq
        ),
    ]
    if card.snippets:
        parts.append("## Server snippets\n\n" + "\n\n".join(_snippet(s) for s in card.snippets))
    if card.experiments:
        parts.append(
            "## Try it live\n\n"
            + "\n".join(f"- {experiment.label}" for experiment in card.experiments)
        )
    parts.append(
        "## Sources\n\n"
        + "\n".join(f"- {citation.title}: <{citation.url}>" for citation in card.citations)
    )
    return "\n\n".join(parts) + "\n"


def _section(title: str, section: Section, titles: dict[str, str]) -> str:
    return f"## {title}\n\n{section.text.strip()}{_cited(section.cite, titles)}"


def _cited(cite: list[str], titles: dict[str, str]) -> str:
    return f"\n\n*Source: {'; '.join(titles[id_] for id_ in cite)}*" if cite else ""


def _snippet(snippet: Snippet) -> str:
    fence = "~~~~" if "```" in snippet.code else "```"
    text = f"### {FRAMEWORK_NAMES[snippet.framework]}\n\n{fence}{snippet.language}\n"
    text += f"{snippet.code.rstrip()}\n{fence}"
    return text + (f"\n\n{snippet.note.strip()}" if snippet.note else "")
