"""Typst markup from text: escaped text, string literals, labels, lengths, table widths.

Everything the translator writes from a page's own words goes through these,
so no text of the handbook can become Typst markup.
"""

from __future__ import annotations

import re
import string

from docutils import nodes
from sphinx.errors import SphinxError

# ASCII punctuation that Typst markup reads as markup, escaped with "\".
SPECIAL = set(string.punctuation) - set(",;:!?%&")
DIGIT_SPACE = re.compile(r"(?<=\d) (?=\d)")
LABEL = re.compile(r"^[\w.:-]+$")
SHORT_CELL = 12  # characters: a column no longer than this is sized to its text


class MarkupError(SphinxError):
    category = "PDF error"


def escape(text: str) -> str:
    """Text as Typst markup that prints exactly that text.

    A space between digits does not break the line ("~"), so a phone number
    such as 116 123 is never split over two lines.
    """
    text = re.sub(r"\s+", " ", text)
    markup = "".join("\\" + char if char in SPECIAL else char for char in text)
    return DIGIT_SPACE.sub("~", markup)


def string_literal(text: str) -> str:
    """Text as a Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def label(name: str) -> str:
    """A Typst label for a doctree id (ids are already label-safe)."""
    if not LABEL.match(name):
        raise MarkupError(f"the id {name!r} cannot be a Typst label")
    return f"<{name}>"


def length(value: str | None) -> str | None:
    """A docutils length (``50%``, ``200px``, ``3cm``) in Typst's units."""
    if not value:
        return None
    match = re.fullmatch(r"([\d.]+)\s*(%|px|pt|cm|mm|in|em)?", value)
    if not match:
        return None
    number, unit = match.groups()
    if unit == "px":
        return f"{float(number) * 0.75}pt"
    return f"{number}{unit or 'pt'}"



def balanced_widths(tgroup: nodes.Element) -> tuple[list[str], list[int]]:
    """What ``balanced-table`` (book.typ) needs to size the columns: each
    column's text that must not wrap (its longest word, or its whole cell
    when all its cells are short, as names and numbers are) and its weight
    (between its average and its longest cell's length)."""
    count = sum(isinstance(child, nodes.colspec) for child in tgroup.children)
    cells: list[list[str]] = [[] for _ in range(count)]
    for row in tgroup.findall(nodes.row):
        for index, entry in enumerate(row.children[:count]):
            cells[index].append(" ".join(entry.astext().split()))
    unbroken, weights = [], []
    for texts in cells:
        pieces = texts if max(map(len, texts), default=0) <= SHORT_CELL else \
            [word for text in texts for word in text.split()]
        unbroken.append(max(pieces, key=len, default=""))
        average = sum(map(len, texts)) / max(len(texts), 1)
        weights.append(max(1, round((average + max(map(len, texts), default=0)) / 2)))
    return unbroken, weights
