"""Review dates: every page shows when it was last reviewed and is next due.

The check's mistakes (a date missing, not a date, or past) are tested with
the other contributor mistakes in test_contributor_errors.py; this file
tests what readers see, and the review cycle.
"""

import datetime as dt
import re
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from utils import DOCS, ROOT, build_in_process
from sphinx.util.console import strip_colors

SOURCES = sorted(DOCS.rglob("*.md"))


def _project(folder, pages: dict[str, str]):
    folder.mkdir()
    (folder / "references.bib").write_text("")
    toctree = "\n".join(name for name in pages if name != "index")
    (folder / "index.md").write_text(
        "---\nlast_reviewed: 2026-01-10\nreview_due: 2027-01-10\n---\n\n# Start\n\n"
        f"```{{toctree}}\n{toctree}\n```\n")
    for name, front_matter in pages.items():
        if name != "index":
            (folder / f"{name}.md").write_text(f"---\n{front_matter}---\n\n# {name}\n\nWords.\n")
    return folder


def _words(date: str) -> str:
    return dt.date.fromisoformat(date).strftime("%-d %B %Y")


def _review_paragraphs(path):
    soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
    return [p.get_text() for p in soup.select("p.handbook-review")]


def test_the_dates_show_at_the_end_of_the_page_in_words(make_app, tmp_path):
    docs = _project(tmp_path / "docs", {
        "deep": "last_reviewed: 2026-02-03\nreview_due: 2026-08-03\n"})
    (docs / "deep.md").write_text((docs / "deep.md").read_text() + "\n## Part\n\nMore.\n")
    built = build_in_process(make_app, docs, tmp_path / "in", "html", review=True)
    assert built.status == 0, built.warnings
    html = (built.outdir / "deep.html").read_text("utf-8")
    assert _review_paragraphs(built.outdir / "deep.html") == [
        "Page last reviewed: 3 February 2026. Next review due: 3 August 2026."]
    assert html.index("More.") < html.index("Page last reviewed")  # at the end


@pytest.mark.parametrize(("front_matter", "message"), [
    ("last_reviewed: 2026-01-10\nreview_due: 2027-03-10\n", "review_due is 424 days after"),
    ("last_reviewed: 2026-07-01\nreview_due: 2027-01-10\n", "after today (2026-06-01)"),
], ids=["cycle-too-long", "reviewed-in-the-future"])
def test_a_review_cycle_longer_than_the_page_allows_or_a_future_review_fails(
        make_app, tmp_path, front_matter, message):
    docs = _project(tmp_path / "docs", {"page": front_matter})
    built = build_in_process(make_app, docs, tmp_path / "in", "html", review=True)
    assert built.status != 0
    assert re.search(r"page\.md:\d: WARNING: .*" + re.escape(message), built.warnings), \
        built.warnings


def test_the_help_page_has_a_short_review_cycle(make_app, tmp_path):
    docs = _project(tmp_path / "docs", {
        "help-now": "last_reviewed: 2026-01-10\nreview_due: 2026-12-10\n"})
    built = build_in_process(make_app, docs, tmp_path / "in", "html", review=True)
    assert "help-now.md:3: WARNING: review_due is 334 days after" in built.warnings, \
        built.warnings


def test_every_page_of_the_site_and_the_epub_shows_its_own_review_dates(book):
    for source in SOURCES:
        doc = source.relative_to(DOCS).with_suffix("")
        text = source.read_text("utf-8")
        last, due = (re.search(rf"^{key}: (\S+)$", text, re.M)[1]
                     for key in ("last_reviewed", "review_due"))
        shown = _review_paragraphs(book.html / doc.with_suffix(".html"))
        assert shown == [f"Page last reviewed: {_words(last)}. Next review due: {_words(due)}."], doc
        epub = book.builddir / "epub" / f"{doc}.xhtml"
        assert _review_paragraphs(epub) == shown, doc


@pytest.mark.sphinx("html", testroot="small-book", srcdir="small-book-review",
                    confoverrides={"handbook_review_today": "2027-03-01"})
def test_in_process_a_page_due_today_is_named_and_the_others_show_their_dates(app):
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    assert re.findall(r"([\w-]+)\.md:(\d+): WARNING: the page's review was due", warnings) == [
        ("help-now", "3")], warnings  # its cycle is three months; the others' a year
    assert _review_paragraphs(app.outdir / "first.html") == [
        "Page last reviewed: 1 December 2026. Next review due: 1 December 2027."]


def test_the_pdf_shows_the_help_page_s_review_dates(book, printed):
    text = " ".join(page.text for page in printed(book.pdf))
    source = (DOCS / "help-now.md").read_text("utf-8")
    last, due = (re.search(rf"^{key}: (\S+)$", source, re.M)[1]
                 for key in ("last_reviewed", "review_due"))
    expected = f"Page last reviewed: {_words(last)}. Next review due: {_words(due)}."
    assert expected in " ".join(text.replace("\u00a0", " ").split())


def test_a_pinned_day_that_is_not_a_date_stops_the_build_saying_so(tmp_path):
    docs = _project(tmp_path / "docs", {})
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-c", str(ROOT), "-D",
         "handbook_review_today=June", "-b", "html", str(docs), str(tmp_path / "html")],
        capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "handbook_review_today is 'June': write the day as YYYY-MM-DD" in result.stderr
