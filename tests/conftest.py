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

from pypdf import PdfReader
from utils import ROOT, ROOTS, SOURCE_DATE_EPOCH

from handbook.shared import read_conf

pytest_plugins = ("sphinx.testing.fixtures",)  # app, make_app: in-process builds

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
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
