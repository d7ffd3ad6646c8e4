"""The website: every page built, reachable, and linked to the whole-book PDF."""

from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

SOURCES = sorted(p.relative_to(ROOT / "docs").with_suffix("") for p in (ROOT / "docs").rglob("*.md"))


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(), "html.parser")


def _resolve(page: Path, href: str, site: Path) -> Path:
    """The file a relative link on a built page points to."""
    target = urlparse(urljoin(page.relative_to(site).as_posix(), href)).path
    return site / target


@pytest.fixture(scope="module")
def pages(book) -> dict[str, BeautifulSoup]:
    return {str(doc): _soup(book.html / doc.with_suffix(".html")) for doc in SOURCES}


def test_every_source_page_is_built(book):
    missing = [str(doc) for doc in SOURCES if not (book.html / doc.with_suffix(".html")).is_file()]
    assert not missing


def test_every_page_is_in_the_navigation(book, pages):
    index = book.html / "index.html"
    nav = pages["index"].select_one("nav.bd-docs-nav")
    linked = {_resolve(index, a["href"], book.html) for a in nav.select("a[href]")}
    linked.add(index)
    unreachable = [doc for doc in pages if book.html / f"{doc}.html" not in linked]
    assert not unreachable


def test_every_page_links_to_the_whole_book_pdf(book, pages, config):
    assert (book.html / config["pdf_filename"]).is_file()
    for doc, soup in pages.items():
        links = [a for a in soup.select("a[href]") if " ".join(a.get_text().split()) == "Download PDF"]
        assert links, f"{doc} has no Download PDF link"
        target = _resolve(book.html / f"{doc}.html", links[0]["href"], book.html)
        assert target == book.html / config["pdf_filename"], doc


def test_every_page_offers_the_epub_too(book, pages, config):
    epub = book.html / (config["epub_basename"] + ".epub")
    assert epub.is_file()
    for doc, soup in pages.items():
        links = soup.select('a[type="application/epub+zip"]')
        assert links, f"{doc} has no EPUB link"
        assert _resolve(book.html / f"{doc}.html", links[0]["href"], book.html) == epub, doc


def test_pages_declare_british_english(pages):
    for doc, soup in pages.items():
        assert soup.html["lang"] == "en-GB", doc
