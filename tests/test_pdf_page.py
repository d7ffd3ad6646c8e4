"""What each printed page holds: its review dates, its running head and its foot.

Read from where the text stands on the page (pypdf's text visitor gives each
run's size and place), so the head and the foot are told from the body.
"""

import re

import pytest

A4_HEIGHT = 842
HEAD = A4_HEIGHT - 22 / 25.4 * 72  # above the top margin (22 mm)
FOOT = 30 / 25.4 * 72  # below the standard bottom margin (30 mm)
DATES = re.compile(r"Page last reviewed: [^.]+\. Next review due: [^.]+\.")


@pytest.fixture(scope="module")
def runs(printed, edition) -> list[list[tuple[float, float, float, str]]]:
    """Each page's runs of text (conftest's printed: read once a run)."""
    return [page.runs for page in printed(edition[1])]


def _lines(runs) -> list[str]:
    """The runs joined into lines, top to bottom, with plain spaces."""
    rows: dict[int, list] = {}
    for _size, x, y, text in runs:
        rows.setdefault(round(y), []).append((x, text))
    return [" ".join("".join(t for _, t in sorted(rows[y])).replace("\xa0", " ").split())
            for y in sorted(rows, reverse=True)]


def _body(page_runs) -> str:
    return " ".join(_lines([run for run in page_runs if FOOT < run[2] < HEAD]))


def test_each_pages_review_dates_print_once_at_the_end_of_its_own_text(runs):
    # A chapter's dates close its own text, before the pages it lists: never
    # straight after its last sub-page's dates.
    book = " ".join(_body(page) for page in runs)
    assert DATES.search(book)
    twice = re.findall(rf"{DATES.pattern} {DATES.pattern}", book)
    assert not twice


def test_review_dates_never_stand_on_a_page_of_their_own(runs):
    for number, page in enumerate(runs, 1):
        body = _body(page)
        if DATES.search(body):
            assert DATES.sub("", body).strip(), f"page {number} holds only its review dates"


def test_the_head_and_foot_are_as_large_as_the_edition_allows(runs, edition):
    # Large print: nothing smaller than the body (RNIB Clear Print); the
    # standard edition's foot is 10 pt at least. No number breaks over lines.
    least = 18 if edition[0] == "large print" else 10
    for number, page in enumerate(runs, 1):
        margins = [run for run in page if not FOOT < run[2] < HEAD]
        assert margins and min(size for size, *_ in margins) >= least, number
        foot = _lines([run for run in margins if run[2] <= FOOT])
        for item in ("999 in an emergency", "NHS 111", "Samaritans 116 123", f"Page {number}"):
            assert any(item in line for line in foot), (number, item, foot)


def test_no_term_is_left_at_the_foot_of_a_page_without_its_meaning(runs, book):
    # The glossary's terms and the other definition lists' (the book's HTML
    # page, beside the PDFs, has them as <dt>): a term is kept with its text.
    from bs4 import BeautifulSoup

    html = BeautifulSoup(book.pdf.with_name("index.html").read_text("utf-8"), "html.parser")
    terms = {" ".join(dt.get_text(" ").split()) for dt in html.find_all("dt")}
    assert len(terms) > 10  # the glossary's, at least
    stranded = []
    for number, page in enumerate(runs, 1):
        lines = _lines([run for run in page if FOOT < run[2] < HEAD])
        if lines and lines[-1] in terms:
            stranded.append(f"page {number}: {lines[-1]!r}")
    assert stranded == []
