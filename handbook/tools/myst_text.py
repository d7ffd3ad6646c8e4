"""The prose of a MyST page, as a reader reads it: one extractor for the text checks.

``dedupe`` and ``prose`` both need a page's prose without its markup, and
with the line each piece is on. Rather than strip Markdown by hand, this
module parses the page with myst-parser's own Markdown parser, set up with
the extensions conf.py turns on, so it reads a page as the build does:

- paragraphs, list items, quotes, definitions and the bodies of
  admonitions and the glossary are prose;
- front matter, headings, tables, targets, comments, code (fenced with
  backticks or tildes) and directives such as toctree and bibliography
  are not;
- a role or a link reads as its text (``{term}`Stigma <stigma>``` as
  "Stigma"); citations, substitutions, bare addresses and raw HTML are
  dropped.

``passages(text)`` gives ``(line, text)`` for each paragraph, its lines
kept apart with newlines so that a piece of it can be found by line.
``linked_passages(text)`` gives each with the pages its links go to too
(``other-page.md``, as written, without ``#heading``). ``Finding`` is what
the checks report: a place in a page, printed as ``file:line: message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from markdown_it.token import Token

PROSE_DIRECTIVES = frozenset({
    "note", "important", "tip", "warning", "caution", "attention", "hint", "danger",
    "error", "seealso", "admonition", "epigraph", "sidebar", "topic", "glossary",
})
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}")
OPTION = re.compile(r"^\s*:[\w-]+:")
SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+(?=[.,;:!?)])")
ROLE_TARGET = re.compile(r"<([^<>]+)>\s*$")  # {ref}`its text <its-label>`
DEFAULT_EXTENSIONS = ("colon_fence", "deflist", "substitution", "attrs_inline")
SKIPPED_INLINE = frozenset({
    "substitution_inline", "html_inline", "footnote_ref", "math_inline", "math_single",
})


class Passage(NamedTuple):
    """One paragraph of prose: the line it starts on, and its text (one line a source line)."""

    line: int
    text: str


@dataclass(frozen=True)
class Finding:
    """A place in a page and what to change there, printed ``file:line: message``.

    Each check's kind of finding adds its ``message``: a field, or a property
    made from its own fields.
    """

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@cache
def _parser():
    """myst-parser's Markdown parser, with the extensions the build uses."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    try:
        from handbook.shared import read_conf

        extensions = set(read_conf().get("myst_enable_extensions", DEFAULT_EXTENSIONS))
    except Exception:  # noqa: BLE001 - no conf.py to read: the handbook's usual set
        extensions = set(DEFAULT_EXTENSIONS)
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


def passages(text: str) -> list[Passage]:
    """Each paragraph of prose in a MyST page, with the line it starts on."""
    return [passage for passage, _ in _passages(text, offset=0)]


def linked_passages(text: str) -> list[tuple[Passage, frozenset[str]]]:
    """Each paragraph of prose, with the pages (``*.md``) its links go to."""
    return list(_passages(text, offset=0))


def _passages(text: str, offset: int):
    tokens = _parser().parse(text)
    for index, token in enumerate(tokens):
        if token.type in ("fence", "colon_fence"):
            yield from _directive_body(token, offset)
        elif (token.type == "inline" and index and token.map
              and tokens[index - 1].type in ("paragraph_open", "dt_open")):
            plain = _plain(token.children or [])
            if plain.strip():
                yield Passage(token.map[0] + 1 + offset, plain), _pages_linked(token)


def _pages_linked(inline: Token) -> frozenset[str]:
    """What an inline token's links go to, as written.

    A Markdown link or a ``{doc}`` role gives its page (``../help-now.md``,
    ``/help-now.md`` from the top folder); a ``{ref}`` role gives its label
    as ``#label``, for the caller to find the page that defines it.
    """
    targets = set()
    for child in inline.children or []:
        if child.type == "link_open":
            targets.add(str(child.attrs.get("href", "")).split("#", 1)[0])
        elif child.type == "myst_role" and child.meta.get("name") in ("doc", "ref"):
            written = ROLE_TARGET.search(child.content)
            target = (written[1] if written else child.content).strip()
            targets.add(f"{target}.md" if child.meta["name"] == "doc" else f"#{target}")
    return frozenset(t for t in targets if t.endswith(".md") or t.startswith("#"))


def _directive_body(fence: Token, offset: int):
    """The prose inside an admonition or the glossary, its options left out."""
    directive = DIRECTIVE.match(fence.info.strip())
    if not directive or directive["name"] not in PROSE_DIRECTIVES or not fence.map:
        return
    lines = fence.content.splitlines()
    if lines and lines[0].strip() == "---":  # options written as YAML
        end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), 0)
        lines[:end + 1] = [""] * (end + 1)
    for number, line in enumerate(lines):
        if not OPTION.match(line):
            break
        lines[number] = ""
    yield from _passages("\n".join(lines), offset + fence.map[0] + 1)


def _plain(children: list[Token]) -> str:
    """An inline token's text as a reader sees it, a line for each source line."""
    parts: list[str] = []
    in_address = False  # inside <https://...>: the address is not prose
    for child in children:
        if child.type == "link_open":
            in_address = child.markup == "autolink"
        elif child.type == "link_close":
            in_address = False
        elif in_address or child.type in SKIPPED_INLINE:
            continue
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "myst_role":
            name = child.meta.get("name", "")
            if not name.startswith("cite"):
                parts.append(child.content.split("<", 1)[0].strip())
        elif child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
    text = SPACE_BEFORE_PUNCTUATION.sub("", "".join(parts))
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))
