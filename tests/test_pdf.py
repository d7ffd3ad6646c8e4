"""Both PDFs, read as a screen reader and a printed copy's reader get them (issue 11).

The structure tree is walked with pikepdf (tests/pdf_rules.py): each rule is
checked on both editions, and shown failing on a small PDF broken on purpose.
"""

import collections
import datetime as dt
import re

import pikepdf
import pytest
from bs4 import BeautifulSoup

import pdf_rules
from pdf_rules import embedded_faces
from utils import DOCS, SOURCE_DATE_EPOCH
from handbook.sphinxext.pdf.tags import read_link_tags, read_tags

SITE_CHROME = [
    "Skip to main content", "Back to top", "Edit this page", "Download PDF",
    "Ctrl+K", "Toggle navigation", "Repository", "Search this book",
]
HELP_LINE = "999 in an emergency · NHS 111 · Samaritans 116 123"


@pytest.fixture(scope="module")
def pdf(edition):
    with pikepdf.open(edition[1]) as opened:
        yield opened


@pytest.fixture(scope="module")
def tags(pdf):
    return read_tags(pdf)


@pytest.fixture(scope="module")
def print_page(book) -> BeautifulSoup:
    """The book's doctree as HTML, written beside the PDFs."""
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


# -- The rules of PDF/UA, on both editions ------------------------------------

@pytest.mark.parametrize("rule", pdf_rules.RULES, ids=lambda rule: rule.__name__)
def test_each_pdf_ua_rule_holds(pdf, tags, rule):
    assert rule(pdf, tags) == []


def test_each_paragraph_in_the_tags_has_the_words_of_the_html(pdf, tags, print_page):
    assert len(pdf_rules.tagged_paragraphs(tags)) > 100
    assert pdf_rules.check_paragraph_words(pdf, tags, print_page) == []


def test_headings_are_the_books_in_text_level_and_order(tags, print_page):
    book = [(int(h.name[1]), " ".join(h.get_text(" ", strip=True).split()))
            for h in print_page.select("main h1, main h2, main h3, main h4")]
    assert pdf_rules.tagged_headings(tags) == [(1, "Contents"), *book]


def test_metadata_is_the_books(reader, pdf, config):
    meta = reader.metadata
    assert meta.title == config["project"]
    assert meta.author == config["author"]
    assert meta.subject == config["handbook_subtitle"]
    assert meta["/Keywords"] == ", ".join(config["pdf_keywords"])
    assert pdf.Root.Lang == "en-GB"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle
    with pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == config["project"]
        assert xmp["pdfuaid:part"] == "1"


def test_dates_come_from_source_date_epoch(reader):
    expected = dt.datetime.fromtimestamp(SOURCE_DATE_EPOCH, tz=dt.timezone.utc)
    assert reader.metadata.creation_date == expected
    assert reader.metadata.modification_date == expected


# -- What a reader of the printed copy gets -----------------------------------

def test_a4_and_the_body_size_of_each_edition(pdf, edition, config):
    assert [round(float(v)) for v in pdf.pages[0].MediaBox] == [0, 0, 595, 842]
    sizes = collections.Counter()
    for page in pdf.pages[3:]:
        for operands, _operator in pikepdf.parse_content_stream(page, "Tf"):
            sizes[float(operands[1])] += 1
    body = sizes.most_common(1)[0][0]
    wanted = config["pdf_body_size"] if edition[0] == "standard" else config["pdf_large_print_size"]
    assert body == float(wanted.removesuffix("pt"))
    assert body >= (12 if edition[0] == "standard" else 16)


def test_cover_says_what_the_book_is_and_how_to_get_help_now(reader, config):
    cover = " ".join(reader.pages[0].extract_text().split())
    for text in (config["project"], f"Edition {config['release']}", config["handbook_licence"],
                 "999", "NHS 111", "Samaritans free on 116 123"):
        assert text in cover
    help_page = next(page for level, title, page in _outline(reader) if title == "Getting help now")
    assert f"Getting help now, page {help_page + 1}" in cover


def test_every_page_has_the_help_line_and_its_number(page_texts):
    for number, page in enumerate(page_texts, 1):
        text = " ".join(page.split())
        assert HELP_LINE in text and f"Page {number}" in text, number


def test_cross_references_give_the_page_of_their_target(tags, reader):
    checked = 0
    for element in tags.root.walk():
        text = " ".join(element.text(tags.content).split())
        found = re.search(r"\(page (\d+)\)$", text) if element.type == "/Link" else None
        if found:
            annotation = element.annotations()[0]
            dest = annotation.get("/Dest")
            if isinstance(dest, pikepdf.String):  # a heading's named destination
                page = reader.get_destination_page_number(reader.named_destinations[str(dest)])
                assert page + 1 == int(found[1]), text
                checked += 1
    assert checked > 10


def _link_texts(tags) -> dict:
    """Each link annotation (by object) and its /Link element's text."""
    return {annotation.objgen: element.text(tags.content)
            for element in tags.root.walk() if element.type == "/Link"
            for annotation in element.annotations()}


def test_the_builders_narrow_reading_gives_each_link_the_text_read_tags_does(pdf, tags):
    """The builder describes links from `read_link_tags`, which reads only the
    pages and marked content the links reach: the same texts as the full reading."""
    full = _link_texts(tags)
    assert len(full) > 100 and sum(bool(text) for text in full.values()) > 100
    assert _link_texts(read_link_tags(pdf)) == full


def test_every_chapter_starts_a_page_and_sections_do_not(reader):
    outline = _outline(reader)
    chapters = [page for level, _, page in outline if level == 1]
    assert len(set(chapters)) == len(chapters)
    sections = [page for level, _, page in outline if level == 2]
    assert len(set(sections)) < len(sections)  # sections share pages


def _chapters_in_print() -> list[str]:
    """The start page's title, then the title of each page its toctrees list
    (leaving out what the start page shows on the website only)."""
    start = (DOCS / "index.md").read_text("utf-8")
    start = re.sub(r"^:::\{only\} not builder_pdf\n.*?^:::$", "", start, flags=re.S | re.M)
    entries = []
    for block in re.findall(r"^```\{toctree\}\n(.*?)^```$", start, flags=re.S | re.M):
        entries += [line for line in block.splitlines() if line and not line.startswith(":")]
    return [
        re.search(r"^# (.+)$", (DOCS / f"{page}.md").read_text("utf-8"), re.M)[1]
        for page in ["index", *entries]
    ]


def test_every_page_of_the_contents_is_a_chapter(reader):
    chapters = [title for level, title, _ in _outline(reader) if level == 1]
    assert chapters == ["Contents", *_chapters_in_print()]


def test_the_contents_page_is_nested_as_the_book_is(tags):
    tocs = [e for e in tags.root.walk() if e.type == "/TOC"]
    assert tocs and any(e.type == "/TOC" for e in tocs[0].walk() if e is not tocs[0])


def test_contents_page_numbers_are_the_pages_of_the_headings(tags, reader):
    # The contents may run over several pages; every entry is read, as tagged.
    headings = [(title, page + 1) for level, title, page in _outline(reader)
                if level <= 2 and title != "Contents"]
    toc = next(e for e in tags.root.walk() if e.type == "/TOC")
    entries = [" ".join(e.text(tags.content).split()) for e in toc.walk() if e.type == "/Link"]
    assert [f"{title} {page}" for title, page in headings] == entries


def test_only_the_books_faces_are_embedded(pdf):
    assert embedded_faces(pdf) <= {"Regular", "Italic", "Bold", "BoldItalic", "Mono-Regular"}


@pytest.fixture(scope="module")
def page_texts(printed, edition) -> list[str]:
    """Each page's text (conftest's printed: read once a run)."""
    return [page.text for page in printed(edition[1])]


def test_no_site_navigation_leaks_into_the_pdf(page_texts):
    text = "\n".join(page_texts)
    for chrome in SITE_CHROME:
        assert chrome not in text


def addresses_printed_twice(text: str) -> list[str]:
    """Each web address printed in brackets after a link's text that is itself
    that address: the full address (``https://x.org/a (https://x.org/a)``),
    the address without its scheme, its "www." or its last slash
    (``x.org/a (https://www.x.org/a/)``, in any case), or a DOI
    (``doi:10.x/y (https://doi.org/10.x/y)``).

    Each bracketed address is compared with the text just before it: a
    regular expression with a back-reference, tried at every position of a
    whole book's text, took 17 s a PDF for the same answer.
    """
    found = []
    for match in re.finditer(r"\((https?)://([^()]+?)/?\)", text):
        before = text[:match.start()]
        scheme, rest = match.groups()
        full = f"{scheme}://{rest}"
        if before.endswith((full, full + "/")):
            found.append(full)
            continue
        bare = [rest, *([rest[4:]] if rest.lower().startswith("www.") else [])]
        for shown in bare:
            if (re.match(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", shown, re.I)
                    and before.lower().endswith((shown.lower(), shown.lower() + "/"))):
                found.append(shown)
                break
    for match in re.finditer(r"\(https://doi\.org/(10\.[^()]+?)\)", text, re.I):
        if text[:match.start()].lower().endswith("doi:" + match[1].lower()):
            found.append(match[1])
    return found


@pytest.mark.parametrize(("printed", "twice"), [
    ("seehttps://x.org/a(https://x.org/a)", True),
    ("seehttps://x.org/a/(https://x.org/a)", True),
    ("atx.org/a(https://www.x.org/a/)", True),
    ("atWWW.X.ORG(http://www.x.org)", True),
    ("citeddoi:10.1/ab(https://doi.org/10.1/ab)", True),
    ("thegroup'ssite(https://x.org/a)", False),
    ("x.org/b(https://x.org/a)", False),
    ("doi:10.1/ab(https://doi.org/10.1/abc)", False),
])
def test_an_address_printed_twice_is_found(printed, twice):
    assert bool(addresses_printed_twice(f"Before.{printed}After.")) is twice


def test_a_web_address_is_printed_once(page_texts):
    # A link shows its address in brackets after its text, unless the text is the address.
    text = re.sub(r"\s+", "", "".join(page_texts))
    assert not addresses_printed_twice(text)
    assert "(https://" in text  # other links still show where they go


def test_the_website_links_the_large_print_pdf_beside_the_pdf(book, config):
    large = config["pdf_large_print_filename"]
    assert (book.html / large).read_bytes() == book.pdf.with_name(large).read_bytes()
    for page in ("index.html", "help-now.html", "benefits/index.html"):
        soup = BeautifulSoup((book.html / page).read_text(), "html.parser")
        links = [a for a in soup.select(".handbook-downloads a") if a["href"].endswith(large)]
        assert [a.get_text() for a in links] == ["large-print PDF"], page
