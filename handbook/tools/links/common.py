"""What the three link checks share: failures and reports, built pages parsed,
and the source file and line a link came from."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable

from handbook.shared import ROOT


DOCS = ROOT / "docs"
SOURCE_SUFFIXES = (".md",)  # conf.py's sources are MyST Markdown
NOT_IN_SOURCES = "(theme or template)"

# Addresses that are not files of the site: the online checker (http, https),
# or the reader's own programs (mail, phone), or inline content and scripts.
IGNORED_SCHEMES = {"http", "https", "mailto", "tel", "sms", "javascript", "data"}
# Attributes that hold one address; ``srcset`` holds a list and is split apart.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "xlink:href"}
# Link previews name the page and its picture in <meta property="og:...">.
META_URLS = {"og:url", "og:image"}
# HTML scrolls to the top for an empty fragment, and for "top" with no such id.
TOP_OF_PAGE = {"", "top"}
SINGLEHTML_BUG = re.compile(r"document-[^#\s]*#")
MYST_LABEL = re.compile(r"^\s*\([^)]*\)=\s*$")


@dataclass(frozen=True)
class Failure:
    """One broken link: where it is, what it points at, and what is wrong."""

    where: str  # the built page, "book.pdf page 3", or "README.md:12"
    target: str  # the link as written
    problem: str
    source: str = ""  # "docs/about.md:5", NOT_IN_SOURCES, or "" when `where` is the source

    def __str__(self) -> str:
        text = f"{self.where}: {self.target}: {self.problem}"
        return f"{text} (source: {self.source})" if self.source else text


@dataclass
class Report:
    """What one check looked at, and what it found broken."""

    name: str
    checked: int = 0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [str(failure) for failure in self.failures]
        summary = f"{self.name}: {self.checked} links checked, {len(self.failures)} broken"
        return "\n".join([*lines, summary, *self.notes])


# -- Parsing built HTML ------------------------------------------------------

@dataclass
class Page:
    """The ids and the outgoing addresses of one HTML file."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    canonical: str | None = None  # <link rel="canonical">: where it is published


class _PageParser(HTMLParser):
    """Collect ids, ``<a name>`` anchors and addresses in one pass."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        for name, value in values.items():
            if name == "id" or (name == "name" and tag == "a"):
                self.page.ids.add(value)
            elif name in URL_ATTRIBUTES or (name == "data" and tag == "object"):
                self.page.links.append(value.strip())
            elif name in ("srcset", "imagesrcset"):
                self.page.links.extend(_srcset_urls(value))
        if tag == "meta" and values.get("property") in META_URLS and "content" in values:
            self.page.links.append(values["content"].strip())
        if tag == "link" and "canonical" in values.get("rel", "").split():
            self.page.canonical = values.get("href")

    handle_startendtag = handle_starttag


def _srcset_urls(srcset: str) -> list[str]:
    """The addresses of a ``srcset``: "a.png 1x, b.png 2x" gives a.png and b.png."""
    return [part.split()[0] for part in srcset.split(",") if part.strip()]


@lru_cache(maxsize=None)
def parse_page(path: Path) -> Page:
    """Parse an HTML file once; a link to a file checks its ids from this cache."""
    parser = _PageParser()
    parser.feed(path.read_text("utf-8", errors="replace"))
    parser.close()
    return parser.page


# -- Where a link came from ---------------------------------------------------

def _source_of(html_dir: Path, page: Path, link: str, docs_dir: Path) -> str:
    """"docs/x/y.md:LINE" for a link on built page x/y.html, or NOT_IN_SOURCES."""
    stem = page.relative_to(html_dir).with_suffix("")
    for suffix in SOURCE_SUFFIXES:
        source = docs_dir / stem.with_suffix(suffix)
        if source.is_file():
            line = find_line(source, needles(link))
            if line:
                return f"{display_path(source)}:{line}"
    return NOT_IN_SOURCES


def needles(link: str) -> list[str]:
    """Texts to look for in a source, the most telling first.

    Raw HTML keeps the address as it is built (``missing-page.html``); a MyST
    link names the source (``missing-page.md``); ``{doc}`` and friends name
    neither suffix. Then the ``#fragment`` alone, then, for a picture or
    download, its file name (Sphinx copies those into ``_images/``).
    """
    path, _, fragment = link.partition("#")
    path = path.split("?")[0]
    stem = path.removesuffix(".html")
    found = [link, link.replace(".html", ".md"), link.replace(".html", "")]
    if stem:
        found.append(stem)
    if fragment:
        found.append("#" + fragment)
    if path and not path.endswith(".html"):
        found.append(posixpath.basename(path))
    return [text for text in dict.fromkeys(found) if text]


@lru_cache(maxsize=None)  # every source, for the PDF's failures; cleared by each check
def _lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text("utf-8", errors="replace").splitlines())


def find_line(path: Path, texts: Iterable[str]) -> int | None:
    """The first line (from 1) holding the first of ``texts`` that occurs.

    A MyST label, ``(name)=``, defines a target and links nowhere: skipped.
    """
    lines = _lines(path)
    for text in texts:
        for number, line in enumerate(lines, 1):
            if text in line and not MYST_LABEL.match(line):
                return number
    return None


def display_path(path: Path) -> str:
    """A path relative to the repository when it is in it, for messages."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


