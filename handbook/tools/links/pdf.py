"""The PDF's links and bookmarks: each reaches its page, a heading's link its
heading's page, and each web link is also on the website (``check_pdf``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

from handbook.tools.links.common import _lines, display_path, DOCS, Failure, find_line, needles, NOT_IN_SOURCES, parse_page, Report, SINGLEHTML_BUG, SOURCE_SUFFIXES, TOP_OF_PAGE


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


