"""The reference list is one A-to-Z list, organisations among the people.

Organisations are written in double braces in references.bib, and accented
names with LaTeX's marks; sorted as written, they came after "z", so the
website's list ran A to Z twice (handbook/sphinxext/bibliography.py).
"""

import re

from bs4 import BeautifulSoup
from pybtex.database import parse_file

from utils import ROOT

MARKS = re.compile(r"\\.|[{}]")


def _first_author(entry) -> str:
    person = entry.persons["author"][0]
    return MARKS.sub("", " ".join(person.prelast_names + person.last_names)).lower()


def test_the_reference_list_runs_a_to_z_once_by_first_author(book):
    entries = parse_file(ROOT / "docs" / "references.bib").entries.values()
    by_title = {MARKS.sub("", entry.fields["title"]).lower(): _first_author(entry) for entry in entries}
    page = BeautifulSoup((book.html / "references.html").read_text("utf-8"), "html.parser")
    order = []
    for item in page.select("div.citation"):
        text = " ".join(item.get_text(" ").split()).lower()  # plain style re-cases titles
        order += [author for title, author in by_title.items() if title in text][:1]
    assert len(order) == len(by_title)  # every entry found, by its title
    assert order == sorted(order)
