"""The Sphinx extensions, tested in-process as Sphinx tests its own.

``sphinx.testing`` builds a root under ``tests/roots/test-*/`` (each with its
own conf.py) inside the test process: no subprocess, no Makefile. The
end-to-end layer (conftest's ``book``) still checks what ``make`` gives a reader.
"""

from __future__ import annotations

import shutil

import pytest
from sphinx.util.console import strip_colors
from utils import ROOTS

SMALL_BOOK = ROOTS / "test-small-book"


def _build(make_app, srcdir, **kwargs) -> tuple[dict[str, bytes], str, bool]:
    """Build the small book; return its pages, its warnings (paths made
    relative) and whether Sphinx really ran the build in parallel."""
    shutil.copytree(SMALL_BOOK, srcdir)
    app = make_app("html", srcdir=srcdir, freshenv=True, **kwargs)
    app.build()
    pages = {
        p.relative_to(app.outdir).as_posix(): p.read_bytes()
        for p in sorted(app.outdir.rglob("*.html"))
    }
    warnings = strip_colors(app.warning.getvalue()).replace(str(srcdir), "SRC")
    parallel = app.parallel > 1 and app.builder.parallel_ok
    app.cleanup()  # before the next app registers its nodes again
    return pages, warnings, parallel


@pytest.mark.sphinx("html", testroot="small-book", srcdir="small-book-html")
def test_small_book_builds_without_warnings(app):
    app.build()
    assert app.statuscode == 0
    assert strip_colors(app.warning.getvalue()) == ""
    page = (app.outdir / "first.html").read_text(encoding="utf-8")
    assert 'href="help-now.html"' in page  # site: help is one tap away, on every page


def test_parallel_build_matches_serial(make_app, tmp_path):
    """Every extension declares itself parallel-safe: a -j 2 build (parallel
    read and write) must give the same pages and warnings as a serial one."""
    serial_pages, serial_warnings, _ = _build(make_app, tmp_path / "serial")
    parallel_pages, parallel_warnings, ran_parallel = _build(
        make_app, tmp_path / "parallel", parallel=2
    )
    assert ran_parallel, "the -j 2 build ran serially: an extension is not parallel-safe"
    assert parallel_warnings == serial_warnings
    assert serial_pages.keys() == parallel_pages.keys()
    differ = [name for name in serial_pages if serial_pages[name] != parallel_pages[name]]
    assert not differ, f"these pages differ between the serial and -j 2 builds: {differ}"
