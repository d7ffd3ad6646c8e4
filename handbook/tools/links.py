"""Internal link checks for the built website, the PDF and the repository's Markdown.

``make test`` runs these offline, in a few seconds; links to other sites are
left to the online link checker. Three checks, each returning a `Report`:

- `check_site`: every address in the built website that points inside the
  site (``href``, ``src``, ``srcset``, ``action``... in every ``.html`` file,
  ``url()`` in its stylesheets, the pages ``sitemap.xml`` lists) names a
  file that exists, and every ``#fragment`` an ``id`` (or ``<a name>``) in
  that file. Raw HTML written in a page and the theme's templates are
  covered too: it is all in the output.
  Each failure names the built page, the source file and line the link can
  be found on (or "(theme or template)"), and the target.
- `check_pdf`: every internal link and bookmark of the PDF reaches a page,
  a link to a heading reaches the page that holds the heading, no link the
  print page (the book's doctree as HTML) asked for went missing, and every
  external link is an ``http(s)`` address that the website also links to, so
  the online checker covers it. Links written ``#document-page#anchor`` (the ``singlehtml``
  bug that ``handbook.sphinxext.pdf`` repairs) are failures.
- `check_markdown`: relative links and ``#anchors`` in ``README.md`` and the
  repository's other Markdown files (not the handbook's pages) resolve, the
  anchors as GitHub makes them from headings.

``python -m handbook.tools.links BUILDDIR`` runs all three on a build made with
``make html BUILDDIR=...``, prints each failure on its own line and exits 1
if there is any.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import unquote, urlsplit

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


# -- The built website -------------------------------------------------------

@dataclass(frozen=True)
class Site:
    """A built website: its folder, and the address it is published at, if known.

    The address comes from the start page's canonical link (conf.py's
    ``html_baseurl``). Addresses under it (canonical links, ``og:url``,
    ``og:image``) are files of this site; so are links from the site's root
    under its path (``/handbook/help-now.html``), which the 404 page uses
    because it is served at any depth.
    """

    root: Path
    base_url: str | None = None
    # What is wrong with each target file and fragment, once worked out: the
    # navigation links every page to the same few targets.
    verdicts: dict[tuple[str, str], str | None] = field(
        default_factory=dict, compare=False, repr=False)

    @classmethod
    def read(cls, root: Path) -> Site:
        start = root / "index.html"
        canonical = parse_page(start).canonical if start.is_file() else None
        return cls(root, canonical.rsplit("/", 1)[0] + "/" if canonical else None)

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path if self.base_url else "/"


def check_site(html_dir: Path, docs_dir: Path = DOCS) -> Report:
    """Check every address in the built site that points inside the site.

    Every ``.html`` file is read, including ``genindex.html``, ``search.html``
    and ``404.html`` (theme pages with no source), then the stylesheets and
    ``sitemap.xml``. Scripts are not read: ``searchindex.js`` is data that
    ``searchtools.js`` turns into links in the reader's browser, from the same
    documents the pages were built from.

    Each link is counted, but each target (a file and fragment) is checked
    once; a broken one is reported on every page that links to it.
    """
    report = Report("website")
    parse_page.cache_clear()  # a rebuilt site, or edited sources, must be read afresh
    _lines.cache_clear()
    site = Site.read(html_dir)
    for path in sorted(html_dir.rglob("*.html")):
        for link in dict.fromkeys(parse_page(path).links):  # once per page, in order
            report.checked += 1
            problem = _site_link_problem(site, path, link)
            if problem:
                where = path.relative_to(html_dir).as_posix()
                source = _source_of(html_dir, path, link, docs_dir)
                report.failures.append(Failure(where, link, problem, source))
    _check_stylesheets(site, report)
    _check_sitemap(site, report)
    return report


def _site_link_problem(site: Site, page: Path, link: str) -> str | None:
    """What is wrong with one address on a built page, or None."""
    if site.base_url and link.startswith(site.base_url):
        link = site.base_path + link[len(site.base_url):]  # this site, by its full address
    parts = urlsplit(link)
    if parts.scheme in IGNORED_SCHEMES or (not parts.scheme and parts.netloc):
        return None  # another site (``//host`` too): the online checker's job
    if parts.scheme:
        return f"a {parts.scheme}: address does not work on the published site"
    path, fragment = unquote(parts.path), unquote(parts.fragment)  # the query is dropped
    if path.startswith("/"):
        if not path.startswith(site.base_path):
            return f"starts with / but the site is published at {site.base_path}"
        joined = _join(site.root, site.root, path[len(site.base_path):])
    else:
        joined = (_join(site.root, page.parent, path) if path
                  else page.relative_to(site.root).as_posix())
    if joined is None:
        return "points outside the built site"
    key = (joined, fragment)
    if key not in site.verdicts:
        site.verdicts[key] = _target_problem(site.root, _as_file(site.root / joined), fragment)
    return site.verdicts[key]


def _target_problem(root: Path, target: Path | None, fragment: str) -> str | None:
    """What is wrong with a resolved target file and fragment, or None."""
    if target is None:
        return "points outside the built site"
    if not target.is_file():
        return "no such file in the built site"
    if target.suffix in (".html", ".htm") and fragment not in TOP_OF_PAGE:
        if fragment not in parse_page(target).ids:
            return f"no id {fragment!r} in {target.relative_to(root).as_posix()}"
    # A fragment on another kind of file is not an id (``book.pdf#page=3``).
    return None


def _join(root: Path, base: Path, path: str) -> str | None:
    """The path inside ``root`` that a relative ``path`` names from folder ``base``
    (None if it leads outside), worked out from the names alone."""
    relative = base.relative_to(root).as_posix()
    joined = posixpath.normpath(posixpath.join(relative, path))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _as_file(target: Path) -> Path:
    """A folder's address names its index.html."""
    return target / "index.html" if target.is_dir() else target


def _check_stylesheets(site: Site, report: Report) -> None:
    """Check ``url()`` and ``@import`` in the site's stylesheets (fonts, pictures)."""
    pattern = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""")
    for sheet in sorted(site.root.rglob("*.css")):
        text = sheet.read_text("utf-8", errors="replace")
        for link in dict.fromkeys(m[2] or m[4] for m in pattern.finditer(text)):
            if link.startswith("#"):
                continue  # url(#id) names an SVG element in the page that uses it
            report.checked += 1
            problem = _site_link_problem(site, sheet, link.split("#")[0])
            if problem:
                where = sheet.relative_to(site.root).as_posix()
                report.failures.append(Failure(where, link, problem, NOT_IN_SOURCES))


def _check_sitemap(site: Site, report: Report) -> None:
    """Each page ``sitemap.xml`` lists (by its full address) is in the site."""
    sitemap = site.root / "sitemap.xml"
    if not sitemap.is_file():
        return
    for url in re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", sitemap.read_text("utf-8")):
        report.checked += 1
        if site.base_url and url.startswith(site.base_url):
            problem = _site_link_problem(site, sitemap, url)
        else:
            problem = f"not under the address in index.html's canonical link ({site.base_url})"
        if problem:
            report.failures.append(Failure("sitemap.xml", url, problem, NOT_IN_SOURCES))


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


# -- The PDF -----------------------------------------------------------------

def check_pdf(
    pdf: Path, site_urls: set[str] | None = None, print_page: Path | None = None,
    docs_dir: Path = DOCS,
) -> Report:
    """Check the PDF's internal links, bookmarks and web addresses.

    ``site_urls`` (from `external_urls`) are the web addresses the website
    links to; ``print_page`` is the book's doctree as HTML (beside the
    PDF), which says which targets are headings and which links were asked
    for. Without them those checks are not made, and the report says so.
    """
    from pypdf import PdfReader  # imported here: only this check needs it

    _lines.cache_clear()  # the sources may have been edited since the last check
    soup = _read_print_page(print_page)
    book = _PdfBook(PdfReader(pdf), pdf.name, _headings_by_id(soup) if soup else {}, docs_dir)
    report = Report("PDF")
    report.failures += book.check_named_destinations()
    report.failures += book.check_outline()
    for where, annotation in book.links():
        report.checked += 1
        report.failures += book.check_link(where, annotation, site_urls)
    if soup is None:
        report.notes.append("PDF: no print page given: headings and dropped links not checked")
    else:
        report.failures += _check_print_page(book, soup, print_page.name)
    if site_urls is None:
        report.notes.append("PDF: no website given: external links not compared with it")
    report.failures = list(dict.fromkeys(report.failures))  # a link split over lines
    return report


class _PdfBook:
    """A PDF read with pypdf, with its pages and named destinations indexed."""

    def __init__(self, reader: Any, name: str, headings: dict[str, str], docs_dir: Path) -> None:
        self.reader = reader
        self.name = name
        self.headings = headings  # id: heading text, from the print page
        self.docs_dir = docs_dir
        self.page_numbers = {
            page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)
        }
        self.named = {str(key): dest for key, dest in reader.named_destinations.items()}
        self.lines = lru_cache(maxsize=None)(self._page_lines)

    def _page_lines(self, number: int) -> tuple[str, ...]:
        lines = (_squash(line) for line in self.reader.pages[number].extract_text().splitlines())
        return tuple(line for line in lines if line)

    def holds_heading(self, number: int, heading: str) -> bool:
        """True if page ``number`` prints ``heading`` as lines of their own.

        A heading is a line (or, wrapped, a few lines) by itself: the same
        words inside a sentence, a link's text say, do not count.
        """
        lines, wanted = self.lines(number), _squash(heading)
        return any(
            "".join(lines[start:start + count]) == wanted
            for start in range(len(lines)) for count in (1, 2, 3)
        )

    def page_of(self, reference: Any) -> int | None:
        """The page number (from 0) a page reference in a destination names."""
        idnum = getattr(reference, "idnum", None)
        return self.page_numbers.get(idnum) if idnum is not None else None

    def destination_page(self, dest: Any) -> int | None:
        """The page a ``/Dest`` (a name, or ``[page /XYZ ...]``) reaches, or None."""
        dest = dest.get_object() if hasattr(dest, "get_object") else dest
        if isinstance(dest, (str, bytes)):
            named = self.named.get(_text(dest))
            return None if named is None else self.page_of(named.page)
        if isinstance(dest, list) and dest:
            return self.page_of(dest[0])  # a local destination names a page object
        return None

    def links(self) -> Iterator[tuple[str, Any]]:
        """Each link annotation, with "book.pdf page N" (from 1)."""
        for number, page in enumerate(self.reader.pages, 1):
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if annotation.get("/Subtype") == "/Link":
                    yield f"{self.name} page {number}", annotation

    def check_link(self, where: str, link: Any, site_urls: set[str] | None) -> list[Failure]:
        """What is wrong with one link annotation."""
        action = link.get("/A")
        action = action.get_object() if action is not None else {}
        if "/Dest" in link or action.get("/S") == "/GoTo":
            dest = link["/Dest"] if "/Dest" in link else action.get("/D")
            return self._check_goto(where, dest)
        if action.get("/S") == "/URI":
            return _check_uri(where, _text(action.get("/URI", "")), site_urls)
        kind = action.get("/S", "no action")
        return [Failure(where, str(link.get("/Contents", "?")), f"link with {kind}, not a page")]

    def _check_goto(self, where: str, dest: Any) -> list[Failure]:
        dest = dest.get_object() if hasattr(dest, "get_object") else dest
        name = _text(dest) if isinstance(dest, (str, bytes)) else None
        label = f"#{name}" if name is not None else str(dest)
        failures = []
        if name is not None and SINGLEHTML_BUG.search(name):
            failures.append(Failure(where, label, _singlehtml_problem()))
        page = self.destination_page(dest)
        if page is None:
            failures.append(Failure(where, label, "destination does not exist in the PDF"))
        elif name in self.headings:
            failures += self._check_heading_page(where, name, page)
        return failures

    def _check_heading_page(self, where: str, name: str, page: int) -> list[Failure]:
        """A link to a heading must land on the page the heading is printed on."""
        heading = self.headings[name]
        if self.holds_heading(page, heading):
            return []
        pages = range(len(self.reader.pages))
        found = [str(n + 1) for n in pages if self.holds_heading(n, heading)]
        problem = (f"lands on page {page + 1}, but the heading {heading!r} "
                   f"is on page {', '.join(found) or '(not found)'}")
        return [Failure(where, f"#{name}", problem, _source_in_docs(self.docs_dir, f"#{name}"))]

    def check_named_destinations(self) -> list[Failure]:
        """Every named destination reaches a page, and none has the singlehtml bug."""
        failures = []
        for name, dest in self.named.items():
            if SINGLEHTML_BUG.search(name):
                failures.append(Failure(self.name, f"#{name}", _singlehtml_problem()))
            if self.page_of(dest.page) is None:
                failures.append(Failure(self.name, f"#{name}", "named destination has no page"))
        return failures

    def check_outline(self) -> list[Failure]:
        """Every bookmark reaches a page."""
        failures = []
        for item in _outline_items(self.reader.trailer["/Root"]):
            action = item.get("/A")
            dest = item.get("/Dest") or (action.get_object().get("/D") if action else None)
            if dest is None or self.destination_page(dest) is None:
                title = _text(item.get("/Title", "?"))
                failures.append(Failure(f"{self.name} bookmarks", title, "reaches no page"))
        return failures


def _outline_items(catalog: Any) -> Iterator[Any]:
    """Every bookmark of the outline, depth first, each once."""
    outlines = catalog.get("/Outlines")
    stack = [outlines.get_object().get("/First")] if outlines is not None else []
    seen: set[int] = set()
    while stack:
        reference = stack.pop()
        if reference is None or getattr(reference, "idnum", None) in seen:
            continue
        seen.add(getattr(reference, "idnum", id(reference)))
        item = reference.get_object()
        yield item
        stack += [item.get("/Next"), item.get("/First")]


def _check_uri(where: str, uri: str, site_urls: set[str] | None) -> list[Failure]:
    """An external link must be a web address the website links to as well."""
    if SINGLEHTML_BUG.search(uri):
        return [Failure(where, uri, _singlehtml_problem())]
    if uri.startswith("#"):
        return [Failure(where, uri, "a link inside the book written as a web address")]
    parts = urlsplit(uri)
    if parts.scheme in ("tel", "sms"):  # a phone dials or texts it: digits only, no spaces
        if re.fullmatch(r"\+?\d+", parts.path):
            return []
        return [Failure(where, uri, f"a {parts.scheme}: link must be digits only, with no "
                                    "spaces: [0800 123 456](tel:0800123456)")]
    if parts.scheme == "mailto" and "@" in unquote(parts.path):
        return []
    if parts.scheme == "file":
        return [Failure(where, uri, "a link to a file beside the PDF, from raw HTML: write it as "
                                    "a Markdown link, [words](page.md#heading)")]
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", uri):
        return [Failure(where, uri, "not a well-formed http(s) address")]
    if site_urls is not None and uri not in site_urls:
        return [Failure(where, uri, "the website does not link to it, so no checker visits it")]
    return []


def _singlehtml_problem() -> str:
    return "singlehtml's #document-page#anchor link (Sphinx issue 14221) was not repaired"


def _text(value: Any) -> str:
    """A PDF string or name as text."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _squash(text: str) -> str:
    """Text reduced to lower-case letters and digits, to compare across line breaks."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).casefold()


def external_urls(html_dir: Path) -> set[str]:
    """Every http(s) address that a page of the built site links to."""
    urls: set[str] = set()
    for path in html_dir.rglob("*.html"):
        urls.update(
            link for link in parse_page(path).links
            if urlsplit(link).scheme in ("http", "https")
        )
    return urls


# -- The print page: what the PDF was asked to link -------------------------

def _read_print_page(print_page: Path | None) -> Any:
    """The print page parsed with BeautifulSoup, or None."""
    from bs4 import BeautifulSoup

    if print_page is None:
        return None
    return BeautifulSoup(print_page.read_text("utf-8"), "html.parser")


def _check_print_page(book: _PdfBook, soup: Any, where: str) -> list[Failure]:
    """Each ``#fragment`` link of the print page made it into the PDF.

    Typst names a destination only for a heading; a link to anything else (a
    glossary term, a citation) goes to its page, so it needs its id to exist.
    """
    failures = []
    hrefs = {a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith("#")}
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    for href in sorted(hrefs):
        name = unquote(href[1:])
        if SINGLEHTML_BUG.search(href):
            problem = _singlehtml_problem()
        elif name in ids and name not in book.headings:
            continue
        elif name not in TOP_OF_PAGE and name not in book.named:
            problem = "no such destination in the PDF, so the link was dropped"
        else:
            continue
        # Only a failure is looked for in the sources: that reads every one.
        failures.append(Failure(where, href, problem, _source_in_docs(book.docs_dir, href)))
    return failures


def _headings_by_id(soup: Any) -> dict[str, str]:
    """The heading text each id stands for: a heading's, or its section's.

    A section's extra ids (from labels) are empty ``<span>`` tags before its
    heading, or inside it; they stand for the heading too.
    """
    found = {}
    for section in soup.find_all("section", id=True):
        heading = section.find(re.compile(r"^h[1-6]$"), recursive=False)
        if heading is None:
            continue
        found[section["id"]] = heading.get_text(" ", strip=True)
        for span in heading.find_previous_siblings("span", id=True):
            found[span["id"]] = found[section["id"]]
    for heading in soup.find_all(re.compile(r"^h[1-6]$")):
        for tag in [heading, *heading.find_all(id=True)]:
            if tag.get("id"):
                found[tag["id"]] = heading.get_text(" ", strip=True)
    return found


def _source_in_docs(docs_dir: Path, link: str) -> str:
    """The first source file and line, among all pages, that holds the link.

    The whole book is one page, so every source is searched; a ``{ref}``
    role names the fragment alone, which is looked for last.
    """
    sources = [path for suffix in SOURCE_SUFFIXES for path in sorted(docs_dir.rglob(f"*{suffix}"))]
    fragment = link.partition("#")[2]
    for text in [*needles(link), *([fragment] if fragment else [])]:
        for source in sources:
            line = find_line(source, [text])
            if line:
                return f"{display_path(source)}:{line}"
    return NOT_IN_SOURCES


# -- The repository's Markdown -----------------------------------------------

# Folders whose Markdown is not the repository's own documentation: the
# handbook's pages (Sphinx checks their links) and test projects (broken on
# purpose), from the top; installed or built files, anywhere; and any folder
# that says it is a cache (CACHEDIR.TAG, as pytest's) or a virtual environment.
SKIPPED_PATHS = {"docs", "tests/roots"}
SKIPPED_NAMES = {".venv", "_build", "node_modules", ".git", "__pycache__"}
SKIPPED_MARKERS = ("CACHEDIR.TAG", "pyvenv.cfg")
MARKDOWN_LINK = re.compile(
    r"!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+[^)]*)?\)"  # [text](target "title")
    r"|^\s{0,3}\[(?!\^)[^\]]+\]:\s*(<[^>]*>|\S+)"  # [label]: target, not a [^footnote]
    r"""|\b(?:href|src)\s*=\s*["']([^"']+)["']"""  # raw HTML
)
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")


def markdown_files(root: Path) -> list[Path]:
    """The repository's own Markdown files (see SKIPPED_PATHS)."""
    found = []
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(name for name in subfolders if not _skipped(root, here / name))
        found += [here / name for name in sorted(files) if name.endswith(".md")]
    return found


def _skipped(root: Path, folder: Path) -> bool:
    return (
        folder.relative_to(root).as_posix() in SKIPPED_PATHS
        or folder.name in SKIPPED_NAMES
        or any((folder / marker).exists() for marker in SKIPPED_MARKERS)
    )


def check_markdown(root: Path = ROOT) -> Report:
    """Check relative links and anchors in the repository's Markdown files.

    Web addresses are left to the online checker. A file that does not exist
    yet (a README still to be written) is simply not there to check.
    """
    report = Report("Markdown")
    for path in markdown_files(root):
        for number, target in markdown_links(path):
            report.checked += 1
            problem = _markdown_link_problem(root, path, target)
            if problem:
                where = f"{path.relative_to(root).as_posix()}:{number}"
                report.failures.append(Failure(where, target, problem))
    return report


def markdown_links(path: Path) -> Iterator[tuple[int, str]]:
    """Each link target with its line number, outside code blocks and code spans."""
    for number, line in _prose_lines(path):
        for match in MARKDOWN_LINK.finditer(line):
            target = next(group for group in match.groups() if group is not None)
            yield number, target.strip("<>")


def _prose_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines outside fenced code, with inline code blanked out."""
    fence = ""
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        opening = FENCE.match(line)
        if fence:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening[1]
            continue
        yield number, re.sub(r"(`+).*?\1", lambda m: " " * len(m[0]), line)


def _markdown_link_problem(root: Path, page: Path, target: str) -> str | None:
    """What is wrong with one relative Markdown link, or None."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None  # a web address (or mailto:): the online checker's job
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    base = root if path.startswith("/") else page.parent  # GitHub: / is the repository
    file = (base / path.lstrip("/")).resolve() if path else page
    if not file.exists():
        return "no such file"
    if fragment and file.suffix == ".md" and fragment.casefold() not in markdown_anchors(file):
        return f"no heading with the anchor #{fragment} in {file.name}"
    # A fragment on another kind of file is GitHub's (``#L10`` for a line).
    return None


def markdown_anchors(path: Path) -> set[str]:
    """The anchors GitHub makes for a Markdown file's headings and HTML ids."""
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    previous = ""
    for _, line in _prose_lines(path):
        anchors.update(m[1].casefold() for m in re.finditer(r"""(?:id|name)=["']([^"']+)""", line))
        atx = HEADING.match(line)
        setext = previous.strip() and SETEXT_UNDERLINE.match(line)
        text = atx[2] if atx else previous if setext else None
        previous = line
        if text is not None:
            slug = github_slug(text)
            anchors.add(f"{slug}-{counts[slug]}" if slug in counts else slug)
            counts[slug] = counts.get(slug, 0) + 1
    return anchors


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation gone, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


# -- Command line -------------------------------------------------------------

def book_pdfs(pdf_dir: Path) -> list[Path]:
    """The PDFs of a build, the standard one first (the large print's name
    sorts before it: "-large-print.pdf" < ".pdf")."""
    return sorted(pdf_dir.glob("*.pdf"), key=lambda p: (p.stem.endswith("-large-print"), p.name))


def check_build(builddir: Path, docs_dir: Path = DOCS, root: Path = ROOT) -> list[Report]:
    """All three checks on a build made by ``make html BUILDDIR=builddir``."""
    html_dir, pdf_dir = builddir / "html", builddir / "pdf"
    reports = [check_markdown(root)]
    if not (html_dir / "index.html").is_file():
        missing = Report("website", failures=[Failure(str(html_dir), "index.html", "not built")])
        return [missing, *reports]
    reports.insert(0, check_site(html_dir, docs_dir))
    pdfs = book_pdfs(pdf_dir)
    if not pdfs:
        reports.insert(1, Report("PDF", failures=[Failure(str(pdf_dir), "*.pdf", "not built")]))
        return reports
    print_page = pdf_dir / "index.html"
    reports.insert(1, check_pdf(pdfs[0], external_urls(html_dir),
                                print_page if print_page.is_file() else None, docs_dir))
    return reports


def main(argv: list[str] | None = None) -> int:
    """Print each broken link on its own line; exit 1 if there is any."""
    parser = argparse.ArgumentParser(
        prog="python -m handbook.tools.links", description=__doc__.split("\n")[0]
    )
    parser.add_argument("builddir", type=Path, help="the BUILDDIR of `make html`")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the handbook's sources")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository, for its Markdown")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    reports = check_build(args.builddir, args.docs, args.root)
    failures = [failure for report in reports for failure in report.failures]
    for failure in failures:
        print(failure)
    for note in (note for report in reports for note in report.notes):
        print(note, file=sys.stderr)
    counts = ", ".join(f"{r.name} {r.checked}" for r in reports)
    seconds = time.perf_counter() - start
    print(f"{len(failures)} broken links ({counts} links checked, {seconds:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
