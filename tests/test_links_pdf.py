"""Internal links in the PDF: each check of ``handbook.tools.links.pdf`` fails when it should.

A two-page PDF compiled by Typst stands for the book, beside its print page
(the book as HTML); each test breaks one of its links, bookmarks or web
addresses with pypdf and expects one failure naming the page and the target.
The real book's PDF is checked in test_links.py.
"""

from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, NameObject, TextStringObject
from utils import SMALL_BOOK_SITE as ON_SITE, only_failure as _only, render_small_book as _render

from handbook.tools import links
from handbook.tools.links import check_pdf

# -- The PDF -----------------------------------------------------------------

def _doctored(pdf: Path, change) -> Path:
    """A copy of ``pdf`` changed by ``change(writer, first_link)``."""
    writer = PdfWriter(clone_from=pdf)
    change(writer, writer.pages[0]["/Annots"][0].get_object())
    copy = pdf.with_name("doctored.pdf")
    writer.write(copy)
    return copy


@pytest.fixture
def small_book(tmp_path) -> tuple[Path, Path]:
    return _render(tmp_path)


def test_a_sound_small_pdf_passes(small_book):
    pdf, page = small_book
    report = check_pdf(pdf, ON_SITE, page)
    assert report.checked == 2
    assert not report.failures, str(report)


def test_pdf_link_to_a_missing_destination_is_reported(small_book):
    pdf, page = small_book

    def break_link(writer, link):
        link[NameObject("/Dest")] = TextStringObject("nowhere")

    failure = _only(check_pdf(_doctored(pdf, break_link), ON_SITE, page), "#nowhere")
    assert failure.where == "doctored.pdf page 1"
    assert "does not exist" in failure.problem


@pytest.mark.parametrize("how", ["destination", "uri"])
def test_pdf_link_in_singlehtml_form_is_reported(small_book, how):
    pdf, page = small_book

    def unrepair(writer, link):
        if how == "destination":
            link[NameObject("/Dest")] = TextStringObject("document-guide#second")
        else:
            del link["/Dest"]
            link[NameObject("/A")] = writer._add_object(
                _uri_action("#document-guide#second"))

    report = check_pdf(_doctored(pdf, unrepair), ON_SITE, page)
    target = "#document-guide#second"
    assert any(f.target == target and "14221" in f.problem for f in report.failures), report


def _uri_action(uri: str):
    from pypdf.generic import DictionaryObject

    return DictionaryObject({
        NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(uri),
    })


def test_link_missing_from_the_pdf_is_reported_with_its_source(tmp_path):
    links = '<p><a href="#nowhere">a</a> <a href="#document-guide#x">b</a></p>'
    pdf, page = _render(tmp_path, links)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text("# Guide\n\nJump [there](#nowhere).\n")
    report = check_pdf(pdf, ON_SITE, page, docs)
    dropped = _only(report, "#nowhere")
    assert (dropped.where, dropped.source) == ("index.html", f"{docs}/guide.md:3")
    assert "dropped" in dropped.problem
    assert "14221" in _only(report, "#document-guide#x").problem


def test_only_a_dropped_link_is_looked_for_in_the_sources(tmp_path, monkeypatch):
    # Looking a link up reads every source: a big book cannot afford it for each link.
    links_html = "".join(f'<a href="#first">{n}</a> ' for n in range(5)) + '<a href="#gone">x</a>'
    pdf, page = _render(tmp_path, f"<p>{links_html}</p>")
    looked_up = []
    real = links.pdf._source_in_docs
    monkeypatch.setattr(links.pdf, "_source_in_docs",
                        lambda docs, link: looked_up.append(link) or real(docs, link))
    report = check_pdf(pdf, ON_SITE, page, tmp_path)
    assert [f.target for f in report.failures] == ["#gone"]
    assert looked_up == ["#gone"]


def test_link_to_a_heading_must_land_on_the_headings_page(small_book):
    pdf, page = small_book

    def move_destination(writer, link):
        names = writer.root_object["/Names"]["/Dests"]["/Names"]
        at = names.index("second") + 1
        names[at] = ArrayObject([writer.pages[0].indirect_reference, *names[at].get_object()[1:]])

    failure = _only(check_pdf(_doctored(pdf, move_destination), ON_SITE, page), "#second")
    assert failure.where == "doctored.pdf page 1"
    assert failure.problem == "lands on page 1, but the heading 'Second chapter' is on page 2"


def test_bookmark_that_reaches_no_page_is_reported(small_book):
    pdf, page = small_book

    def break_bookmark(writer, link):
        first = writer.root_object["/Outlines"]["/First"].get_object()
        first[NameObject("/Dest")] = TextStringObject("nowhere")

    failure = _only(check_pdf(_doctored(pdf, break_bookmark), ON_SITE, page), "First chapter")
    assert failure.problem == "reaches no page"


def test_pdf_web_link_must_be_well_formed_and_on_the_website(small_book):
    pdf, page = small_book
    assert "website does not link" in _only(check_pdf(pdf, set(), page), "https://example.org/on-site").problem

    def local_file(writer, link):
        del link["/Dest"]
        link[NameObject("/A")] = writer._add_object(_uri_action("file:///tmp/other.html"))

    report = check_pdf(_doctored(pdf, local_file), ON_SITE, page)
    assert "a file beside the PDF" in _only(report, "file:///tmp/other.html").problem


@pytest.mark.parametrize("uri, fine", [
    ("tel:116123", True), ("tel:+35318000000", True), ("sms:85258", True),
    ("mailto:feedback%40example.org", True),
    ("tel:116%20123", False), ("sms:text-us", False), ("tel:", False),
])
def test_pdf_phone_links_are_digits_only(small_book, uri, fine):
    pdf, page = small_book

    def phone(writer, link):
        del link["/Dest"]
        link[NameObject("/A")] = writer._add_object(_uri_action(uri))

    report = check_pdf(_doctored(pdf, phone), ON_SITE, page)
    problems = [failure.problem for failure in report.failures if failure.target == uri]
    assert not problems if fine else "digits only" in problems[0]
