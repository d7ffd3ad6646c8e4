"""The Sphinx extensions, tested in-process as Sphinx tests its own.

``sphinx.testing`` builds a root under ``tests/roots/test-*/`` (each with its
own conf.py) inside the test process: no subprocess, no Makefile. The
end-to-end layer (conftest's ``book``) still checks what ``make`` gives a reader.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil

import pytest
from sphinx.util.console import strip_colors
from utils import BUILDINFO, ROOTS, folder_files

SMALL_BOOK = ROOTS / "test-small-book"


def _build(make_app, srcdir, builder: str, **kwargs) -> tuple[dict[str, bytes], str, bool]:
    """Build the small book; return its files, its warnings (paths made
    relative) and whether Sphinx really read (and, where the builder writes
    page by page, wrote) in parallel."""
    shutil.copytree(SMALL_BOOK, srcdir)
    app = make_app(builder, srcdir=srcdir, freshenv=True, **kwargs)
    app.build()
    # (.buildinfo: Sphinx's note of the configuration, not an output; make deletes it)
    files = folder_files(app.outdir, BUILDINFO)
    warnings = strip_colors(app.warning.getvalue()).replace(str(srcdir), "SRC")
    parallel = app.parallel > 1 and app.is_parallel_allowed("read") and (
        app.builder.parallel_ok or not app.builder.allow_parallel)
    assert not _ours_not_loaded(app)
    app.cleanup()  # before the next app registers its nodes again
    return files, warnings, parallel


def _ours_not_loaded(app) -> list[str]:
    """The handbook's extensions (each module under sphinxext with a setup())
    that this build did not load, so the -j comparison would not cover."""
    import handbook.sphinxext

    ours = [module.name for module in pkgutil.walk_packages(
        handbook.sphinxext.__path__, "handbook.sphinxext.")
        if hasattr(importlib.import_module(module.name), "setup")]
    return [name for name in ours if name not in app.extensions]


@pytest.mark.sphinx("html", testroot="small-book", srcdir="small-book-html")
def test_small_book_builds_without_warnings(app):
    app.build()
    assert app.statuscode == 0
    assert strip_colors(app.warning.getvalue()) == ""
    page = (app.outdir / "first.html").read_text(encoding="utf-8")
    assert 'href="help-now.html"' in page  # site: help is one tap away, on every page


# Every builder the handbook's extensions hook into: the website and the
# e-book (written page by page, so in parallel too), the PDF (one page, so
# only read in parallel) and the link check (the small book has no web link,
# so it runs offline).
@pytest.mark.parametrize("builder", ["html", "epub", "pdf", "linkcheck"])
def test_parallel_build_matches_serial(make_app, tmp_path, builder):
    """Every extension declares itself parallel-safe: a -j 2 build (parallel
    read and write) must give the same files and warnings as a serial one,
    with all of the handbook's extensions loaded."""
    serial_files, serial_warnings, _ = _build(make_app, tmp_path / "serial", builder)
    parallel_files, parallel_warnings, ran_parallel = _build(
        make_app, tmp_path / "parallel", builder, parallel=2
    )
    assert ran_parallel, "the -j 2 build ran serially: an extension is not parallel-safe"
    assert parallel_warnings == serial_warnings
    assert serial_files.keys() == parallel_files.keys()
    differ = [name for name in serial_files if serial_files[name] != parallel_files[name]]
    assert not differ, f"these files differ between the serial and -j 2 builds: {differ}"


@pytest.mark.sphinx("epub", testroot="small-book", srcdir="small-book-epub", confoverrides={
    "handbook_epub_accessibility_hazards": ["flashing"],
    "handbook_epub_conforms_to": "EPUB Accessibility 1.1 - WCAG 2.2 Level A",
})
def test_the_epubs_accessibility_claims_are_settings(app):
    """What the book declares about its accessibility comes from conf.py."""
    app.build()
    opf = (app.outdir / "content.opf").read_text(encoding="utf-8")
    assert '<meta property="schema:accessibilityHazard">flashing</meta>' in opf
    assert '<meta property="schema:accessibilityHazard">none</meta>' not in opf
    assert ('<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.2 Level A'
            '</meta>') in opf
    assert '<meta property="schema:accessMode">textual</meta>' in opf  # the defaults stay


def _first_page(make_app, tmp_path, **overrides) -> str:
    """The small book's first page, built in-process with these settings."""
    shutil.copytree(SMALL_BOOK, tmp_path / "src")
    app = make_app("html", srcdir=tmp_path / "src", freshenv=True, confoverrides=overrides)
    app.build()
    page = (app.outdir / "first.html").read_text(encoding="utf-8")
    app.cleanup()
    return page


@pytest.mark.parametrize("live", [False, True])
def test_a_live_previews_lighter_pass_is_a_setting(make_app, tmp_path, live):
    """handbook_live (make live) skips the Content-Security-Policy and the pruning."""
    page = _first_page(make_app, tmp_path, handbook_live=live)
    assert ('http-equiv="Content-Security-Policy"' in page) is not live


@pytest.mark.parametrize("lean", [True, False])
def test_the_lean_site_is_a_setting(make_app, tmp_path, lean):
    """handbook_lean=False gives the theme as it comes (make bench's comparison)."""
    page = _first_page(make_app, tmp_path, handbook_lean=lean)
    assert ("handbook-site.css" in page) is lean
    assert ("pydata-sphinx-theme.css" in page) is not lean
