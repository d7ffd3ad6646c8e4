"""The reference list in one A-to-Z order, organisations among the people.

sphinxcontrib-bibtex sorts entries with pybtex's ``author_year_title``
sorting, on the author's name as written in ``references.bib``. An
organisation is written in double braces (``{{NHS England}}``) so that it
is not split into first and last names, and a name with an accent as
``R{\\"u}sch``; the braces and accent marks then sort after "z", so the list
ran A to Z twice, papers first and services after them. The ``handbook``
style (``bibtex_default_style`` in conf.py) is pybtex's ``plain`` with a
sorting key that leaves those marks out. Nothing else about an entry changes.

It also registers the two pybtex output backends sphinxcontrib-bibtex asks
for by name. pybtex looks a plugin up among its runtime registrations first,
then by scanning every installed package's entry points; sphinxcontrib-bibtex
asks for the plain-text backend once for each page it resolves, so each
build scanned them once a page (a third of a second at 28 pages, three
seconds at 280, in each of make's builds). Registered, the lookup is a
dictionary's.
"""

from __future__ import annotations

import re

from pybtex_docutils import Backend as DocutilsBackend
from pybtex.backends.plaintext import Backend as PlaintextBackend
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitle
from sphinx.application import Sphinx

STYLE = "handbook"
LATEX_MARKS = re.compile(r"\\.|[{}]")  # an accent command (\", \') or a brace


class SortingStyle(AuthorYearTitle):
    """Author, year and title, as pybtex sorts them, read without LaTeX's marks."""

    def person_key(self, person) -> str:
        return LATEX_MARKS.sub("", super().person_key(person))


class Style(PlainStyle):
    default_sorting_style = "handbook"


def setup(app: Sphinx) -> dict:
    register_plugin("pybtex.style.sorting", STYLE, SortingStyle)
    register_plugin("pybtex.style.formatting", STYLE, Style)
    # force: these names are pybtex's own entry points, registered again
    # (the same classes) so that finding them scans nothing.
    register_plugin("pybtex.backends", "plaintext", PlaintextBackend, force=True)
    register_plugin("pybtex.backends", "docutils", DocutilsBackend, force=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
