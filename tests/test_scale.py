"""The bigger handbook ``make bench SCALE=N`` times (handbook/tools/scale.py).

Its copies must pass every check a build makes (or the bench would time a
failure), so the same headings and labels cannot appear twice, and it must
be the same book each time, or two runs could not be compared.
"""

import re
from collections import Counter

import pytest

from utils import ROOT
from handbook.tools.scale import CHAPTERS, make_book, pages

LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$", re.M)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale") / "docs"
    added = make_book(ROOT / "docs", out, 3)
    return out, added


def _headings(docs):
    found = Counter()
    for page in pages(docs):
        fence = False
        for line in page.read_text("utf-8").splitlines():
            if line.startswith("```"):
                fence = not fence
            elif not fence and re.match(r"#{1,6} ", line):
                found[line] += 1
    return found


def test_the_book_has_about_n_times_the_pages(book):
    docs, added = book
    base = len(pages(ROOT / "docs"))
    assert 3 * base <= len(pages(docs)) < 3 * base + 6
    assert {name.rsplit("-", 1)[0] for name in added} == set(CHAPTERS)


def test_each_copy_is_a_chapter_of_the_start_page(book):
    docs, added = book
    index = (docs / "index.md").read_text("utf-8")
    assert all(f"\n{name}/index\n" in index for name in added)


def test_no_heading_and_no_label_is_there_twice(book):
    docs, _ = book
    originals = _headings(ROOT / "docs")
    repeated = [h for h, n in _headings(docs).items() if n > originals.get(h, 1)]
    assert not repeated
    labels = Counter(m for page in pages(docs) for m in LABEL.findall(page.read_text("utf-8")))
    assert [label for label, n in labels.items() if n > 1] == []


def test_the_copies_have_other_words_but_keep_the_markup(book):
    docs, _ = book
    original = (ROOT / "docs" / "benefits" / "empathy.md").read_text("utf-8")
    copy = (docs / "benefits-2" / "empathy.md").read_text("utf-8")
    assert copy != original
    assert copy.count("{term}`") == original.count("{term}`")
    assert copy.split("---")[1] == original.split("---")[1]  # the front matter


def test_the_same_book_each_time(book, tmp_path):
    docs, _ = book
    again = tmp_path / "docs"
    make_book(ROOT / "docs", again, 3)
    assert [p.read_bytes() for p in pages(again)] == [p.read_bytes() for p in pages(docs)]
