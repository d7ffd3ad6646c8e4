"""The reference list is one A-to-Z list, organisations among the people.

Organisations are written in double braces in references.bib, and accented
names with LaTeX's marks; sorted as written, they came after "z", so the
website's list ran A to Z twice (handbook/sphinxext/bibliography.py).
"""

import re
import shutil

from bs4 import BeautifulSoup
from pybtex.database import parse_file

from utils import HANDBOOK_CONF, ROOT

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


def test_a_build_finds_pybtex_backends_without_scanning_installed_packages(make_app, tmp_path,
                                                                           monkeypatch):
    """sphinxcontrib-bibtex asks pybtex for its plain-text backend once a page;
    unregistered, each ask scanned every installed package's entry points,
    a cost that grew with the book (handbook/sphinxext/bibliography.py)."""
    import pybtex.plugin

    srcdir = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", srcdir)
    shutil.copy(HANDBOOK_CONF, srcdir / "conf.py")
    app = make_app("dummy", srcdir=srcdir, builddir=tmp_path / "_build", freshenv=True)
    scanned = []  # the entry-point groups scanned once set-up is over

    def counted(**selection):
        scanned.append(selection.get("group"))
        return entry_points(**selection)

    entry_points = pybtex.plugin.entry_points
    monkeypatch.setattr(pybtex.plugin, "entry_points", counted)
    try:
        app.build()
    finally:
        app.cleanup()
    assert app.statuscode == 0
    assert [group for group in scanned if group.startswith("pybtex.backends")] == []
