"""Shared fixtures: the handbook is built once per test session, fresh.

The build runs the Makefile's own targets into a temporary folder, so the
tests check exactly what `make` gives a reader, and never a stale build.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from handbook.shared import STRICT, read_conf
from pypdf import PdfReader

pytest_plugins = ("sphinx.testing.fixtures",)  # app, make_app: in-process builds

ROOT = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
SOURCE_DATE_EPOCH = 1767225600  # 2026-01-01: the test build's edition date
sys.path.insert(0, str(ROOT))
# Tests read Sphinx's messages as plain text; CI (CI=true) would colour them.
os.environ["NO_COLOR"] = "1"


@dataclass(frozen=True)
class Book:
    """Where one build of the handbook put its outputs."""

    builddir: Path
    html: Path
    pdf: Path


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds ``testroot="x"``: tests/roots/test-x/."""
    return ROOTS


@pytest.fixture(scope="session")
def config() -> dict:
    """The handbook's conf.py, read as Sphinx reads it."""
    return dict(read_conf(ROOT / "conf.py"))  # a copy: a test may not change it for others


@pytest.fixture(scope="session")
def book(tmp_path_factory, config) -> Book:
    """Build the website and the PDF with `make html` into a fresh folder."""
    builddir = tmp_path_factory.mktemp("build")
    subprocess.run(
        ["make", "--no-print-directory", "-s", f"BUILDDIR={builddir}", "html"],
        cwd=ROOT, check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)},
    )
    return Book(
        builddir=builddir,
        html=builddir / "html",
        pdf=builddir / "pdf" / config["pdf_filename"],
    )


@pytest.fixture(scope="module", params=["standard", "large print"])
def edition(request, book, config) -> tuple[str, Path]:
    """Each PDF edition in turn (test_pdf.py, test_pdf_page.py), as (name, path)."""
    name = config["pdf_filename"] if request.param == "standard" else \
        config["pdf_large_print_filename"]
    return request.param, book.pdf.with_name(name)


@pytest.fixture(scope="module")
def reader(edition) -> PdfReader:
    return PdfReader(edition[1])


REVIEW_TODAY = "2026-06-01"  # the day the review-date tests check against


def sphinx_build(srcdir: Path, outdir: Path, builder: str = "html",
                 review: bool = False) -> subprocess.CompletedProcess:
    """Build a project under tests/roots/ with the handbook's configuration.

    Test projects' pages carry no review dates, so the review check
    (handbook/sphinxext/review.py) is off unless ``review``, which checks
    them against REVIEW_TODAY.
    """
    settings = (["-D", f"handbook_review_today={REVIEW_TODAY}"] if review
                else ["-D", "handbook_review_required=0"])
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *STRICT,
         "-c", str(ROOT), *settings, "-b", builder, str(srcdir), str(outdir)],
        cwd=ROOT, capture_output=True, text=True,
    )
