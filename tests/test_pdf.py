"""The whole-book PDF: opens, is tagged, carries its metadata and bookmarks."""

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import ROOT, SOURCE_DATE_EPOCH

SITE_CHROME = [
    "Skip to main content", "Back to top", "Edit this page", "Download PDF",
    "Ctrl+K", "Toggle navigation", "Repository", "Search this book",
]


@pytest.fixture(scope="module")
def reader(book) -> PdfReader:
    return PdfReader(book.pdf)


@pytest.fixture(scope="module")
def print_page(book) -> BeautifulSoup:
    """The single HTML page WeasyPrint rendered."""
    return BeautifulSoup((book.pdf.parent / "index.html").read_text(), "html.parser")


def _outline(reader, items=None, level=1):
    """Flatten the bookmarks into (level, title, page number) triples."""
    flat = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            flat.extend(_outline(reader, item, level + 1))
        else:
            flat.append((level, item.title, reader.get_destination_page_number(item)))
    return flat


def _structure_types(reader) -> set[str]:
    """Every structure type used in the PDF's tag tree."""
    seen, stack = set(), [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(n.get_object() for n in node)
            continue
        if not hasattr(node, "get"):
            continue
        if "/S" in node:
            seen.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object()
            stack.extend(kids if isinstance(kids, list) else [kids])
    return seen


def test_pdf_is_a4_with_cover_contents_and_chapters(reader, print_page):
    chapters = print_page.select("main h1")
    assert len(reader.pages) >= len(chapters) + 2
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)


def test_metadata_is_the_books(reader, config):
    meta = reader.metadata
    assert meta.title == config["project"]
    assert meta.author == config["author"]
    assert meta.subject == config["subtitle"]
    assert meta["/Keywords"] == ", ".join(config["pdf_keywords"])
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_dates_come_from_source_date_epoch(reader):
    expected = dt.datetime.fromtimestamp(SOURCE_DATE_EPOCH, tz=dt.timezone.utc)
    assert reader.metadata.creation_date == expected
    assert reader.metadata.modification_date == expected


def test_cover_shows_title_edition_date_licence_and_help(reader, config):
    cover = reader.pages[0].extract_text()
    for text in (config["project"], f"Edition {config['release']}", config["licence"],
                 "Getting help now"):
        assert text in cover
    assert re.search(r"\d{1,2} \w+ \d{4}", cover)


def test_contents_page_numbers_match_the_chapters(reader, print_page):
    outline = {title: page + 1 for _, title, page in _outline(reader)}
    # The contents fill the pages between the cover and the first chapter.
    first_chapter = min(outline.values())
    contents = "\n".join(page.extract_text() for page in reader.pages[1:first_chapter - 1])
    for heading in print_page.select("main h1"):
        title = heading.get_text(" ", strip=True)
        assert re.search(re.escape(title) + r"[ .]*" + str(outline[title]), contents), title


def test_one_bookmark_per_chapter_and_section(reader, print_page):
    headings = [
        (int(h.name[1]), h.get_text(" ", strip=True))
        for h in print_page.select("main h1, main h2, main h3")
    ]
    assert [(level, title) for level, title, _ in _outline(reader)] == headings


def _chapters_in_print() -> list[str]:
    """The start page's title, then the title of each page its toctrees list
    (leaving out what the start page shows on the website only)."""
    docs = ROOT / "docs"
    start = (docs / "index.md").read_text("utf-8")
    start = re.sub(r"^:::\{only\} not builder_pdf\n.*?^:::$", "", start, flags=re.S | re.M)
    entries = []
    for block in re.findall(r"^```\{toctree\}\n(.*?)^```$", start, flags=re.S | re.M):
        entries += [line for line in block.splitlines() if line and not line.startswith(":")]
    return [
        re.search(r"^# (.+)$", (docs / f"{page}.md").read_text("utf-8"), re.M)[1]
        for page in ["index", *entries]
    ]


def test_every_page_of_the_contents_is_a_chapter(reader):
    chapters = [title for level, title, _ in _outline(reader) if level == 1]
    assert chapters == _chapters_in_print()
    assert len(chapters) >= 4


def test_every_chapter_starts_a_page(reader):
    pages = [page for level, _, page in _outline(reader) if level == 1]
    assert len(set(pages)) == len(pages)


def test_running_header_names_the_chapter(reader):
    for level, title, page in _outline(reader):
        if level == 1:
            assert reader.pages[page].extract_text().count(title) >= 2, title


def test_pdf_is_tagged_for_screen_readers(reader):
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    types = _structure_types(reader)
    assert {"/H1", "/H2", "/L", "/LI", "/Link", "/Table"} <= types


def test_fonts_are_embedded_and_subset(reader):
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            fonts.add(str(font["/BaseFont"]))
    assert fonts and all(re.match(r"/[A-Z]{6}\+Atkinson", name) for name in fonts), fonts


def test_no_site_navigation_leaks_into_the_pdf(reader):
    text = "\n".join(page.extract_text() for page in reader.pages)
    for chrome in SITE_CHROME:
        assert chrome not in text


def test_a_web_address_is_printed_once(reader):
    # A link shows its address in brackets after its text, unless the text is the address.
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    doubled = re.findall(r"(https?://[^()]+?)/?\(\1/?\)", text)
    assert not doubled
    assert "(https://" in text  # other links still show where they go


def test_raw_html_links_between_pages_are_aimed_into_the_book():
    from handbook.sphinxext.pdf import finish_book_html

    page = finish_book_html(
        '<main><span id="document-benefits/empathy"></span><section id="intro"><h1>Intro</h1>'
        '<p><a href="../glossary.html#term-Stigma">a</a> <a href="../help-now.html">b</a> '
        '<a href="stigma.html">c</a> <a href="https://example.org/">d</a></p></section>'
        '<span id="document-help-now"></span><section id="help"><h1>Help</h1>'
        '<dl><dt id="term-Stigma">Stigma</dt></dl></section>'
        '<span id="document-benefits/stigma"></span><section id="st"><h1>Stigma</h1></section>'
        '</main>'
    )
    hrefs = [a["href"] for a in BeautifulSoup(page, "html.parser").select("p a")]
    assert hrefs == [
        "#term-Stigma", "#document-help-now", "#document-benefits/stigma", "https://example.org/",
    ]
