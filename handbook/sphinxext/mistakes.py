"""Mistakes in a page's Markdown that Sphinx and MyST pass over, or crash on.

Each is a Sphinx warning at the page and line, with its "How to fix" line
written here, where the mistake is found (``handbook.sphinxext.messages``
formats it the same way as the hints it adds to Sphinx's own warnings).

- ``handbook.encoding``: a page that is not valid UTF-8 made Sphinx crash with
  a byte offset and "please report this to Sphinx". The warning names its
  line and column; the build goes on to report the rest, reading the pages
  (Sphinx's ``input_encoding`` setting, for that build only) with a codec of
  this module's that is UTF-8 but puts U+FFFD for each byte that is not.
- ``handbook.open_fence``: a code fence or directive (```` ``` ````, ``~~~``,
  ``:::``) left open swallows the rest of the page: its headings become part
  of the note or the code, and the contents and screen readers lose them.
  MyST says nothing, so the page's text is read for fences, as markdown-it
  reads them, and one still open at the end with text after it is reported
  at the line where it opened.
- ``handbook.duplicate_heading``: the same heading twice on one page. The
  second gets an id of its own (``id1``), so a link to the heading's words
  always lands on the first. Reported at the second, naming both lines.
"""

from __future__ import annotations

import codecs
import encodings.utf_8
import re
from collections.abc import Iterable
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from handbook.sphinxext.messages import how_to_fix

logger = logging.getLogger(__name__)

# A fence's first line: its indent, then three or more ` ~ or :, then its info.
FENCE = re.compile(r"^[ \t]*(?P<marks>`{3,}|~{3,}|:{3,})(?P<info>.*)$")


# -- Encoding ----------------------------------------------------------------

LENIENT = "handbook_utf_8_replace"  # UTF-8, with U+FFFD for each byte that is not


class _LenientDecoder(encodings.utf_8.IncrementalDecoder):
    def __init__(self, errors: str = "strict") -> None:
        super().__init__("replace")


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name != LENIENT:
        return None
    return codecs.CodecInfo(
        name=LENIENT, encode=codecs.utf_8_encode,
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, "replace", True),
        incrementalencoder=encodings.utf_8.IncrementalEncoder,
        incrementaldecoder=_LenientDecoder,
    )


def encoding_error(data: bytes) -> tuple[int, int, int] | None:
    """Where bytes stop being UTF-8: (line, column, the bad byte), or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line = before.count(b"\n") + 1
        column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        return line, column, data[error.start]
    return None


def check_encoding(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Warn about each page to be read that is not UTF-8, and read it even so."""
    for docname in docnames:
        path = Path(env.doc2path(docname))
        try:
            where = encoding_error(path.read_bytes())
        except OSError:
            continue
        if where is None:
            continue
        line, column, byte = where
        env.settings["input_encoding"] = LENIENT
        logger.warning(
            "the page is not UTF-8 text: column %d of this line has the byte 0x%02X%s",
            column, byte,
            how_to_fix(app, "The file was saved in another encoding (Windows-1252 or Latin-1, "
                            "perhaps, by a word processor). Open it in your editor and save it "
                            "again as UTF-8: in VS Code, click the encoding in the status bar, "
                            "then \"Save with Encoding\", \"UTF-8\"; in Notepad, choose UTF-8 "
                            "under Encoding in the Save As window. Then check the character "
                            "at this line and column."),
            location=(docname, line), type="handbook", subtype="encoding",
        )


# -- Fences ------------------------------------------------------------------

def open_fence(lines: Iterable[str]) -> tuple[int, str] | None:
    """The fence still open at the end, as (its line, its first line), if the
    page has text after it; None when every fence is closed.

    As markdown-it reads them: inside a fence nothing else opens, and a line
    of the same mark, at least as long and with nothing else, closes it.
    """
    opened: tuple[int, str, str] | None = None  # line, marks, text
    text_after = False
    for number, line in enumerate(lines, 1):
        match = FENCE.match(line)
        if opened is None:
            if match and not (match["marks"][0] == "`" and "`" in match["info"]):
                opened, text_after = (number, match["marks"], line.strip()), False
            continue
        marks = opened[1]
        if (match and match["marks"][0] == marks[0] and len(match["marks"]) >= len(marks)
                and not match["info"].strip()):
            opened = None
        elif line.strip():
            text_after = True
    if opened is None or not text_after:
        return None
    return opened[0], opened[2]


def check_fences(app: Sphinx, docname: str, source: list[str]) -> None:
    """Warn about a fence or directive that is never closed."""
    lines = source[0].splitlines()
    start = front_matter_end(lines)
    found = open_fence(lines[start:])
    if found is None:
        return
    line, text = found
    marks = FENCE.match(text)["marks"]
    logger.warning(
        "“%s” opens a block that is never closed: the rest of the page is inside it%s",
        text,
        how_to_fix(app, f"End the block with a line of {marks} after its last line, "
                        "before the text that follows it. A block inside another needs "
                        "more marks on the outer one: ```` around ```."),
        location=(docname, start + line), type="handbook", subtype="open_fence",
    )


def front_matter_end(lines: list[str]) -> int:
    """How many lines the front matter (between two --- lines at the top) takes."""
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], 2):
            if line.strip() == "---":
                return number
    return 0


# -- Headings ----------------------------------------------------------------

def check_headings(app: Sphinx, doctree: nodes.document) -> None:
    """Warn about each heading a page has already used."""
    seen: dict[str, int | None] = {}
    for title in doctree.findall(nodes.title):
        if not isinstance(title.parent, nodes.section):
            continue
        words = " ".join(title.astext().split())
        line = title.line or title.parent.line
        if words.casefold() not in seen:
            seen[words.casefold()] = line
            continue
        logger.warning(
            "the heading “%s” is on this page twice, on line %s and on line %s: links to it "
            "go to the first%s", words, seen[words.casefold()], line,
            how_to_fix(app, "Give each heading on a page words of its own: say what makes "
                            "this section different from the other, or join the two."),
            location=title, type="handbook", subtype="duplicate_heading",
        )


def setup(app: Sphinx) -> dict:
    codecs.register(_find_codec)
    app.connect("env-before-read-docs", check_encoding)
    app.connect("source-read", check_fences)
    app.connect("doctree-read", check_headings)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
