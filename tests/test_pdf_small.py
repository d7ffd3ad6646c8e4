"""Small PDFs, each made to break one rule, and small books with a picture,
code, or what must stop the PDF build.

tests/test_pdf.py checks the handbook's own two editions; this file shows
that each of pdf_rules.py's checks fails on a PDF that breaks it, and that
the pdf builder stops, naming the problem, on what it cannot print.
"""

import shutil

import pikepdf
import pytest
import typst
from bs4 import BeautifulSoup

import pdf_rules
from pdf_rules import embedded_faces
from utils import ROOT, ROOTS, sphinx_build
from handbook.sphinxext.pdf.tags import describe_links, read_link_tags, read_tags

FONTS = ROOT / "handbook" / "print" / "fonts"


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


def _small(tmp_path, source=SMALL, reader=read_link_tags, name="small.pdf"):
    """The small book, its links described as the builder does (or from `reader`'s tags)."""
    target = tmp_path / name
    typst.compile(source.encode(), output=str(target), font_paths=[str(FONTS)],
                  ignore_system_fonts=True, pdf_standards=["ua-1"])
    with pikepdf.open(target, allow_overwriting_input=True) as pdf:
        describe_links(pdf, reader(pdf))
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


def test_the_builders_link_reading_describes_links_as_the_full_reading_does(tmp_path):
    said = []
    for reader in (read_link_tags, read_tags):
        with pikepdf.open(_small(tmp_path, reader=reader, name=f"{reader.__name__}.pdf")) as pdf:
            said.append([str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])])
    assert "the second chapter" in said[1] and said[0] == said[1]


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
            assert embedded_faces(pdf) == {"Regular", "Bold", "Mono-Regular"}
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
