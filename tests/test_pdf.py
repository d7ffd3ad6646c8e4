"""Both PDFs, read as a screen reader and a printed copy's reader get them (issue 11).

The structure tree is walked with pikepdf (tests/pdf_rules.py): each rule is
checked on both editions, and shown failing on a small PDF broken on purpose.
"""

import collections
import datetime as dt
import re
import shutil

import pikepdf
import pytest
import typst
from bs4 import BeautifulSoup

import pdf_rules
from conftest import ROOT, ROOTS, SOURCE_DATE_EPOCH, sphinx_build
from handbook.sphinxext.pdf.tags import read_tags

FONTS = ROOT / "handbook" / "print" / "fonts"
BOOK_FACE = re.compile(r"^/[A-Z]{6}\+AtkinsonHyperlegible(Mono)?-(Regular|Italic|Bold|BoldItalic)$")
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


def test_every_page_has_the_help_line_and_its_number(reader):
    for number, page in enumerate(reader.pages, 1):
        text = " ".join(page.extract_text().split())
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


def test_every_chapter_starts_a_page_and_sections_do_not(reader):
    outline = _outline(reader)
    chapters = [page for level, _, page in outline if level == 1]
    assert len(set(chapters)) == len(chapters)
    sections = [page for level, _, page in outline if level == 2]
    assert len(set(sections)) < len(sections)  # sections share pages


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
    assert _faces(pdf) <= {"Regular", "Italic", "Bold", "BoldItalic", "Mono-Regular"}


def _faces(pdf) -> set[str]:
    faces = set()
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            name = str(font.BaseFont)
            assert BOOK_FACE.match(name), name
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name
            faces.add(name.split("+AtkinsonHyperlegible")[1].lstrip("-"))
    return faces


def test_no_site_navigation_leaks_into_the_pdf(reader):
    text = "\n".join(page.extract_text() for page in reader.pages)
    for chrome in SITE_CHROME:
        assert chrome not in text


def test_a_web_address_is_printed_once(reader):
    # A link shows its address in brackets after its text, unless the text is the address.
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    doubled = re.findall(r"(https?://[^()]+?)/?\(\1/?\)", text)
    # Nor when the text is the address without its scheme, "www." or slash,
    # or a DOI (doi:10.x/y) whose address is https://doi.org/10.x/y.
    doubled += re.findall(r"([a-z0-9-]+(?:\.[a-z0-9-]+)+[^()]*?)/?\(https?://(?:www\.)?\1/?\)",
                          text, flags=re.I)
    doubled += re.findall(r"doi:(10\.[^()]+?)\(https://doi\.org/\1\)", text, flags=re.I)
    assert not doubled
    assert "(https://" in text  # other links still show where they go


# -- Each rule fails on a PDF that breaks it -----------------------------------

SMALL = """#set document(title: "Small book")
#set text(font: "Atkinson Hyperlegible", lang: "en", region: "GB")
#outline(title: none)
= First chapter <first>
Read #link(<second>)[the second chapter] or #link("https://example.org/")[this].
- one: call #link("tel:116123")[116 123]
- two
#table(columns: 2, table.header[Name][Number], [Samaritans], [116 123])
== A section
Words.
#pagebreak()
= Second chapter <second>
Because everyone is welcome.
"""
SMALL_HTML = ("<main><p>Read the second chapter or this.</p><p>Words.</p>"
              "<p>Because everyone is welcome.</p></main>")


def _small(tmp_path, source=SMALL):
    target = tmp_path / "small.pdf"
    typst.compile(source.encode(), output=str(target), font_paths=[str(FONTS)],
                  ignore_system_fonts=True, pdf_standards=["ua-1"])
    from handbook.sphinxext.pdf.tags import describe_links
    with pikepdf.open(target, allow_overwriting_input=True) as pdf:
        describe_links(pdf, read_tags(pdf))
        pdf.save(target)
    return target


def _elements(pdf, kind):
    return [e for e in read_tags(pdf).root.walk() if e.type == kind]


def _paint_untagged(pdf):
    pdf.pages[0].contents_add(pdf.make_stream(b"q 0 0 10 10 re f Q"))


def _orphan_text(pdf):
    heading = _elements(pdf, "/H1")[1].source
    heading.K = pikepdf.Array([])


def _list_item_without_body(pdf):
    _elements(pdf, "/LBody")[0].source.S = pikepdf.Name("/P")


def _header_without_scope(pdf):
    for owner in _elements(pdf, "/TH")[0].source.A:
        if "/Scope" in owner:
            del owner["/Scope"]


def _link_in_a_span(pdf):
    _elements(pdf, "/Link")[-1].source.S = pikepdf.Name("/Span")


def _link_described_by_an_id(pdf):
    _elements(pdf, "/Link")[-1].annotations()[0].Contents = pikepdf.String("references-id8")


def _bookmark_renamed(pdf):
    with pdf.open_outline() as outline:
        outline.root[0].title = "Chapter one"


def _heading_stranded(pdf):
    """The second chapter's heading moved to page 1, its text left on page 2."""
    heading = _elements(pdf, "/H1")[1].source
    heading.K = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.MCR, Pg=pdf.pages[0].obj, MCID=0)])


def _no_language(pdf):
    del pdf.Root["/Lang"]


BREAKERS = {
    "check_painted_content_is_tagged": _paint_untagged,
    "check_no_text_unreachable": _orphan_text,
    "check_list_items": _list_item_without_body,
    "check_table_headers": _header_without_scope,
    "check_links": _link_in_a_span,
    "check_headings_match_bookmarks": _bookmark_renamed,
    "check_no_heading_stranded": _heading_stranded,
    "check_document": _no_language,
}


@pytest.mark.parametrize("rule", pdf_rules.RULES, ids=lambda rule: rule.__name__)
def test_each_rule_fails_on_a_pdf_that_breaks_it(tmp_path, rule):
    with pikepdf.open(_small(tmp_path)) as pdf:
        assert rule(pdf, read_tags(pdf)) == []
        BREAKERS[rule.__name__](pdf)
        pdf.save(tmp_path / "broken.pdf")
    with pikepdf.open(tmp_path / "broken.pdf") as broken:
        assert rule(broken, read_tags(broken)) != []


def test_links_are_described_by_their_words_and_what_they_do(tmp_path):
    with pikepdf.open(_small(tmp_path)) as pdf:
        described = [str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])]
    # Typst said "page 1", "https://example.org/" and "Telephone 116123".
    assert described[-3:] == ["the second chapter", "this", "Telephone 116 123"]


def test_a_link_described_by_its_id_fails(tmp_path):
    with pikepdf.open(_small(tmp_path)) as pdf:
        _link_described_by_an_id(pdf)
        assert "described as 'references-id8'" in " ".join(pdf_rules.check_links(pdf, read_tags(pdf)))


def test_words_run_together_fail(tmp_path):
    html = BeautifulSoup(SMALL_HTML, "html.parser")
    with pikepdf.open(_small(tmp_path)) as pdf:
        assert pdf_rules.check_paragraph_words(pdf, read_tags(pdf), html) == []
    run_together = SMALL.replace("Because everyone", "Because#h(0.3em)everyone")
    with pikepdf.open(_small(tmp_path, run_together)) as pdf:
        problems = pdf_rules.check_paragraph_words(pdf, read_tags(pdf), html)
    assert problems == ["the tagged paragraph 'Becauseeveryone is welcome.' is no paragraph of the HTML"]


# -- Pictures, code, and what stops the build ------------------------------------

def test_a_picture_and_code_build_reproducibly_with_the_books_fonts(tmp_path, config):
    builds = []
    for name in ("one", "two"):  # two folders: no path may reach the bytes
        source = tmp_path / name / "docs"
        shutil.copytree(ROOTS / "pdf-picture-and-code", source)
        result = sphinx_build(source, tmp_path / name / "pdf", "pdf")
        assert result.returncode == 0, result.stderr
        builds.append(tmp_path / name / "pdf")
    for filename in (config["pdf_filename"], config["pdf_large_print_filename"]):
        first, second = (build / filename for build in builds)
        assert first.read_bytes() == second.read_bytes(), filename
        with pikepdf.open(first) as pdf:
            assert _faces(pdf) == {"Regular", "Bold", "Mono-Regular"}
            tags = read_tags(pdf)
            figures = [e.alt for e in tags.root.walk() if e.type == "/Figure"]
            assert figures == ["Two teal rings that overlap", "The same two rings"]
            assert any(e.type == "/Code" for e in tags.root.walk())
            assert pdf_rules.all_problems(pdf) == []


def test_a_character_the_typeface_lacks_stops_the_build(tmp_path):
    result = sphinx_build(ROOTS / "pdf-missing-glyph", tmp_path, "pdf")
    assert result.returncode != 0
    assert 'pdf-missing-glyph/index.md:7: ERROR: PDF: PDF/UA-1 error:' in result.stderr
    assert 'the text `"✓"` could not be displayed with font `"Atkinson Hyperlegible"`' in result.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_a_node_the_translator_does_not_know_stops_the_build(tmp_path):
    result = sphinx_build(ROOTS / "pdf-unknown-node", tmp_path, "pdf")
    assert result.returncode != 0
    assert ("pdf-unknown-node/index.md:7: ERROR: the PDF builder does not know the "
            "'versionmodified' node") in result.stderr
    assert "The PDF was not written" in result.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_the_website_links_the_large_print_pdf_beside_the_pdf(book, config):
    large = config["pdf_large_print_filename"]
    assert (book.html / large).read_bytes() == book.pdf.with_name(large).read_bytes()
    for page in ("index.html", "help-now.html", "benefits/index.html"):
        soup = BeautifulSoup((book.html / page).read_text(), "html.parser")
        links = [a for a in soup.select(".handbook-downloads a") if a["href"].endswith(large)]
        assert [a.get_text() for a in links] == ["large-print PDF"], page


def test_a_terms_classifier_is_printed_with_its_term(tmp_path):
    """reStructuredText's "term : classifier" is one term, "Helpline (service)"."""
    result = sphinx_build(ROOTS / "pdf-term-classifier", tmp_path, "pdf")
    assert result.returncode == 0, result.stderr
    markup = (tmp_path / "content.typ").read_text("utf-8")
    assert "#terms(terms.item([Helpline (service)], [" in markup


# A piece of the Typst each kind of node is written as, from the page of
# tests/roots/pdf-every-node, which uses every node the translator knows.
EVERY_NODE = [
    '#emph[emphasis], #strong[strong], #raw("code"), #sub[2] and #super[3], #[NHS]',
    '#link("tel:116123")[a phone], #link(<a-target>)[back]', "116~123 and \\# \\* \\_\\.",
    '#note(kind: "seealso", "See also")[', '#note(kind: "admonition", "Own title")[',
    '#note(kind: "admonition", "A topic")[', '#note(kind: "admonition", "A sidebar")[',
    "#quote(block: true)[\n\nA quote\\.\n\n\n\n— Someone\n\n]", "#enum(start: 3, [",
    "#list([\n\na\n\n], [", "#terms(terms.item([Term], [\n\nIts definition\\.\n\n]), ",
    "#terms(terms.item([Field], [\n\nits body\n\n]), ", "#rubric[A rubric]",
    "A line block \\\nits second line \\\n", "#emph[A title reference], #emph[literal], "
    "#strong[strong role]", "#table-title[A titled table]#balanced-table(",
    "table.header([\n\nHead\n\n], [", "table.cell(colspan: 2)[\n\nwide\n\n], ",
    '#raw(block: true, ">>> doctest = True")', "#v(1em)", "#line(length: 100%)",
    '#link("https://example.org/named2")[named link]',
]


def test_every_node_the_translator_knows_is_written_as_its_typst(tmp_path):
    result = sphinx_build(ROOTS / "pdf-every-node", tmp_path, "pdf")
    assert result.returncode == 0, result.stderr
    markup = (tmp_path / "content.typ").read_text("utf-8")
    assert [piece for piece in EVERY_NODE if piece not in markup] == []
