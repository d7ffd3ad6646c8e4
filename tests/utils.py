"""Helpers the tests share (imported as ``from utils import ...``, not from conftest)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sphinx.util.console import strip_colors

from handbook.shared import STRICT

ROOT = Path(__file__).resolve().parent.parent  # the repository
ROOTS = Path(__file__).resolve().parent / "roots"  # the test projects
# The book that `make` builds for the tests: docs/, or another folder named by
# make's DOCS (``DOCS=/tmp/x10 make test`` checks a book from scale.py).
DOCS = ROOT / os.environ.get("DOCS", "docs")
# Its pages, as paths from DOCS without ".md" (``benefits/index``).
SOURCES = sorted(p.relative_to(DOCS).with_suffix("") for p in DOCS.rglob("*.md"))
SOURCE_DATE_EPOCH = 1767225600  # 2026-01-01: the test build's edition date

REVIEW_TODAY = "2026-06-01"  # the day the review-date tests check against
HANDBOOK_CONF = ROOTS / "test-small-book" / "conf.py"  # conf.py's settings, for a test root


def review_settings(review: bool) -> dict[str, str]:
    """Test projects' pages carry no review dates, so the review check
    (handbook/sphinxext/review.py) is off unless ``review``, which checks
    them against REVIEW_TODAY."""
    return ({"handbook_review_today": REVIEW_TODAY} if review
            else {"handbook_review_required": "0"})


def sphinx_build(srcdir: Path, outdir: Path, builder: str = "html",
                 review: bool = False) -> subprocess.CompletedProcess:
    """Build a project with the handbook's configuration, as sphinx-build
    run by make does (a process of its own, STRICT's options)."""
    settings = [f"-D{name}={value}" for name, value in review_settings(review).items()]
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *STRICT,
         "-c", str(ROOT), *settings, "-b", builder, str(srcdir), str(outdir)],
        cwd=ROOT, capture_output=True, text=True,
    )


BUILDINFO = frozenset({".buildinfo"})  # Sphinx's note of its settings, not an output


def folder_files(folder: Path, leave_out: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """Every file under a folder, by its path there, with its bytes; not
    those named in ``leave_out`` (such as Sphinx's ``.buildinfo``)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in leave_out}


@dataclass(frozen=True)
class Built:
    """What an in-process build gave: its exit status, its warnings, its output."""

    status: int
    warnings: str
    outdir: Path


def build_in_process(make_app, root: Path, tmp: Path, builder: str = "dummy",
                     review: bool = False) -> Built:
    """Build a copy of a project in this process (sphinx.testing), with the
    handbook's configuration and STRICT's settings (-W -n -E).

    The warnings name the copy's files by the project's own path (from the
    repository, as make, run there, shows them).
    """
    srcdir = tmp / root.name
    shutil.copytree(root, srcdir)
    shutil.copy(HANDBOOK_CONF, srcdir / "conf.py")
    app = make_app(builder, srcdir=srcdir, builddir=tmp / "_build", freshenv=True,
                   warningiserror=True, confoverrides={"nitpicky": True, **review_settings(review)})
    try:
        app.build()
    finally:
        app.cleanup()  # before the next app registers its nodes again
    shown = root.relative_to(ROOT).as_posix() if root.is_relative_to(ROOT) else str(root)
    warnings = strip_colors(app.warning.getvalue()).replace(str(srcdir), shown)
    return Built(app.statuscode, warnings, Path(app.outdir))


def only_failure(report, target: str):
    """The one failure of a handbook.tools.links report about ``target``."""
    found = [failure for failure in report.failures if failure.target == target]
    assert len(found) == 1, str(report)
    return found[0]


SMALL_BOOK = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Small book</title></head><body><main>
<section id="first"><h1>First chapter</h1>
<p>Read <a href="#second">the second chapter</a> or <a href="https://example.org/on-site">this</a>.</p>
{extra}
</section>
<section id="second" style="break-before: page"><h1>Second chapter</h1><p>Words.</p></section>
</main></body></html>
"""
SMALL_BOOK_SITE = {"https://example.org/on-site"}


SMALL_BOOK_TYPST = """#set document(title: "Small book")
#set text(font: "Atkinson Hyperlegible", lang: "en")
= First chapter <first>
Read #link(<second>)[the second chapter] or #link("https://example.org/on-site")[this].
#pagebreak()
= Second chapter <second>
Words.
"""


def render_small_book(tmp_path: Path, extra: str = "") -> tuple[Path, Path]:
    """A two-page PDF compiled by Typst, and its print page (the book as
    HTML), for the link checks' tests; SMALL_BOOK_SITE is its web address.

    ``extra`` goes into the print page only: links the PDF then lacks.
    """
    import typst

    page = tmp_path / "index.html"
    page.write_text(SMALL_BOOK.format(extra=extra))
    pdf = tmp_path / "book.pdf"
    fonts = ROOT / "handbook" / "print" / "fonts"
    typst.compile(SMALL_BOOK_TYPST.encode(), output=str(pdf), font_paths=[str(fonts)],
                  ignore_system_fonts=True)
    return pdf, page
