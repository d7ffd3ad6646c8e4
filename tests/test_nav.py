"""The website's menu (handbook/sphinxext/nav.py), built in-process.

nav.py writes each page's menu from the book's outline, read once a build,
instead of the theme's toctree resolved anew for every page (issue 15). Its
menu must be the theme's, byte for byte; in a book with more chapters than
``handbook_nav_max_entries`` a page lists that many, around its own, and a
link to the full contents, and every page is still reached.
"""

from __future__ import annotations

import functools
import posixpath
import re
import shutil
from pathlib import Path

import pytest
from sphinx.util.console import strip_colors
from utils import ROOTS

from handbook.sphinxext.lean import _named_toggles

NAV_BOOK = ROOTS / "test-nav"
NAV = re.compile(r'<nav class="bd-links bd-docs-nav".*?</nav>', re.S)
HREF = re.compile(r'href="([^"#]*)(#[^"]*)?"')


def _menu_args(context) -> dict:
    """The arguments the sidebar template passes (sbt-sidebar-nav.html)."""
    return dict(
        startdepth=0, kind="sidebar", maxdepth=int(context["theme_max_navbar_depth"]),
        collapse=str(context["theme_collapse_navbar"]).lower() == "true",
        includehidden=True, titles_only=True,
        show_nav_level=int(context["theme_show_navbar_depth"]),
    )


def _build(make_app, srcdir: Path, **overrides):
    """Build the book of nested chapters; return the app (cleaned up) and, for
    each page, nav.py's menu and the theme's."""
    shutil.copytree(NAV_BOOK, srcdir)
    app = make_app("html", srcdir=srcdir, freshenv=True, confoverrides=overrides)
    menus: dict[str, tuple[str | None, str]] = {}

    def compare(app, pagename, templatename, context, doctree):
        if "handbook_nav" in context:
            args = _menu_args(context)
            menus[pagename] = (context["handbook_nav"](**args),
                               str(context["generate_toctree_html"](**args)))

    app.connect("html-page-context", compare, priority=950)
    app.build()
    warnings = strip_colors(app.warning.getvalue())
    app.cleanup()
    assert warnings == "", warnings
    return app, menus


def test_each_page_s_menu_is_the_theme_s(make_app, tmp_path):
    """Captions and none, a hidden toctree, three levels, a title given in
    the toctree (with & in it), a web address: nav.py's menu is the theme's."""
    _, menus = _build(make_app, tmp_path / "book")
    assert {"index", "part/one", "part/deeper/leaf", "search", "genindex"} <= set(menus)
    differ = [page for page, (ours, theirs) in menus.items() if ours != theirs]
    assert not differ, f"menus not the theme's: {differ}\n{menus[differ[0]][0]}\n---\n{menus[differ[0]][1]}"
    leaf, _ = menus["part/deeper/leaf"]
    assert 'aria-label="Pages in Pages within pages"' in leaf  # its chapter's toggle, named


def _top_entries(page_html: str) -> list[str]:
    menu = NAV.search(page_html)[0]
    return re.findall(r'<li class="toctree-l1[^"]*"><a class="[^"]*" href="([^"]*)"', menu)


def test_a_long_book_s_menus_list_a_bounded_number_and_reach_every_page(make_app, tmp_path):
    """With at most 3 entries a page (the book has 7), a page lists 3 of them,
    its own among them, and the contents first; following menus and the
    contents from the start page reaches every page."""
    app, menus = _build(make_app, tmp_path / "book", handbook_nav_max_entries=3)
    out = Path(app.outdir)
    for page in ("first", "fourth", "part/deeper/leaf", "search"):
        text = (out / f"{page}.html").read_text("utf-8")
        entries = _top_entries(text)
        assert len(entries) == 1 + 3, (page, entries)  # the contents link and 3 entries
        assert "All chapters" in NAV.search(text)[0]
        assert entries[0].endswith("index.html#contents"), entries[0]
    assert "#" in _top_entries((out / "fourth.html").read_text("utf-8"))  # its own entry
    leaf = (out / "part/deeper/leaf.html").read_text("utf-8")
    assert '<a class="current reference internal" href="#">The deepest page</a>' in leaf

    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")
             if "_static" not in p.parts and p.name not in ("404.html", "genindex.html", "search.html")}
    reached, queue = set(), ["fourth.html"]  # from a page far from the start
    while queue:
        page = queue.pop()
        if page in reached or page not in pages:
            continue
        reached.add(page)
        for href, _ in HREF.findall((out / page).read_text("utf-8")):
            if href and "://" not in href and href.endswith(".html"):
                queue.append(posixpath.normpath(posixpath.join(posixpath.dirname(page), href)))
    assert reached == pages, sorted(pages - reached)


def test_the_named_toggles_use_the_theme_s_cache():
    """The theme caches its menu by how it is called; the page's template
    calls it with keywords, first for the theme's check for empty
    templates. Naming the toggles must call it the same way, or every page
    resolves the whole book's toctree twice (half the website build at 10×)."""
    made = []

    @functools.cache
    def generate(kind, startdepth=1, **kwargs):
        made.append(kind)
        from bs4 import BeautifulSoup
        return BeautifulSoup('<ul><li class="has-children"><a href="x.html">X</a>'
                             '<details><summary></summary><ul></ul></details></li></ul>',
                             "html.parser")

    generate(kind="sidebar", startdepth=0, maxdepth=4)  # the theme's empty-template check
    soup = _named_toggles(generate)(kind="sidebar", startdepth=0, maxdepth=4)
    assert made == ["sidebar"], "the theme's menu was made twice for one page"
    assert soup.summary["aria-label"] == "Pages in X"


@pytest.mark.parametrize("bound", [0, 100])
def test_no_bound_or_a_high_one_lists_every_chapter(make_app, tmp_path, bound):
    app, _ = _build(make_app, tmp_path / "book", handbook_nav_max_entries=bound)
    entries = _top_entries((Path(app.outdir) / "fourth.html").read_text("utf-8"))
    assert len(entries) == 7 and "All chapters" not in entries
