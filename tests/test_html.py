"""The website: every page built, reachable, and linked to the whole-book PDF."""

from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

from utils import SOURCES



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


def _menu(book, pages, doc: str) -> set[Path]:
    """The pages the menu (the sidebar's navigation) of page ``doc`` links to.

    In a book too long for one menu (handbook/sphinxext/nav.py), a menu
    lists the entries around its page and first links to the contents on the
    start page: the pages those contents list are counted in, a click away.
    """
    nav = pages[doc].select_one("nav.bd-docs-nav")
    page = book.html / f"{doc}.html"
    links = nav.select("a[href]") if nav else []
    found = {_resolve(page, a["href"], book.html) for a in links} | {page}
    if nav and nav.select_one(".handbook-nav-contents a[href]"):
        start = book.html / "index.html"
        found |= {_resolve(start, a["href"], book.html)
                  for a in pages["index"].select("article .toctree-wrapper a[href]")}
    return found


def test_every_page_is_in_the_navigation(book, pages):
    # The menu lists the chapters, and the pages of the chapter it is on (not
    # every page: it would grow with the book). So every page is reached from
    # the start page through the menus, in a click or two.
    doc_of = {book.html / f"{doc}.html": doc for doc in pages}
    reached, frontier = set(), {book.html / "index.html"}
    while frontier:
        reached |= frontier
        frontier = {p for f in frontier for p in _menu(book, pages, doc_of[f])
                    if p in doc_of} - reached
    assert not [doc for doc in pages if book.html / f"{doc}.html" not in reached]


def test_every_menu_lists_every_chapter(book, pages):
    chapters = _menu(book, pages, "index")
    assert book.html / "benefits/index.html" in chapters
    for doc in pages:
        assert chapters <= _menu(book, pages, doc) | {book.html / "index.html"}, doc


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
