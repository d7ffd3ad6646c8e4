"""Shared fixtures: the handbook is built once per run, fresh, and one browser
opens it.

The build runs the Makefile's own targets into a temporary folder, so the
tests check exactly what `make` gives a reader, and never a stale build.
With pytest-xdist's workers (make test runs two), the build is still made
once; each browser test module starts one Chromium and one server.
Helpers that tests share are in utils.py (imported, not fixtures).
"""

import fcntl
import hashlib
import json
import math
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from site_in_browser import SWEEP_PAGES, Visit, help_page, serve, site_pages, sweep
from utils import ROOT, ROOTS, SOURCE_DATE_EPOCH

from handbook.shared import read_conf
from handbook.tools.browser import CHROMIUM, CHROMIUM_ARGS

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


# The modules that take longest, run first: with make test's two workers
# (--dist loadfile hands out whole modules in this order), neither is left
# running one of them alone at the end while the other has finished.
LONGEST_FIRST = ("test_reproducible.py", "test_browser.py", "test_keyboard.py")


def pytest_collection_modifyitems(items) -> None:
    items.sort(key=lambda item: (LONGEST_FIRST + (item.path.name,)).index(item.path.name))


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds ``testroot="x"``: tests/roots/test-x/."""
    return ROOTS


@pytest.fixture(scope="session")
def config() -> dict:
    """The handbook's conf.py, read as Sphinx reads it."""
    return dict(read_conf(ROOT / "conf.py"))  # a copy: a test may not change it for others


def _run_folder(tmp_path_factory) -> Path:
    """The run's temporary folder, which pytest-xdist's workers share."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's, above each worker's own
    return shared


@pytest.fixture(scope="session")
def book(tmp_path_factory, config) -> Book:
    """Build the website and the PDF with `make html` into a fresh folder.

    Once per run: with pytest-xdist's workers (``-n``), the first to ask
    builds it into the run's shared temporary folder, and the others wait
    for it and read the same build.
    """
    shared = _run_folder(tmp_path_factory)
    builddir = shared / "book"
    with open(shared / "book.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker builds; the others wait here
        if not (builddir / "html" / ".built").is_file():  # the Makefile's last step
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


@dataclass(frozen=True)
class PrintedPage:
    """One page of a PDF as pypdf reads it: its text, and each run of text
    on it as (size in pt, x, y, text), from where the text stands."""

    text: str
    runs: list[tuple[float, float, float, str]]


def _read_page(page) -> tuple[str, list]:
    runs = []

    def visit(text, cm, tm, _font, size):
        a, b, c, d, e, f = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                            tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3],
                            tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                            tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
        if text.strip():
            runs.append((round(size * math.sqrt(abs(a * d - b * c)), 1), e, f, text))

    return page.extract_text(visitor_text=visit), runs


@pytest.fixture(scope="session")
def printed(tmp_path_factory):
    """``printed(pdf)``: each page of the PDF (PrintedPage), read once per
    run. Reading a PDF's text is the slowest step of the checks that read it
    (test_pdf, test_pdf_page, test_review, test_text: at 10x the pages, 15 to
    25 s each time); the first worker to ask reads it into the run's folder,
    and the others wait for it there and load what it read."""
    shared = _run_folder(tmp_path_factory)

    def read(pdf: Path) -> list[PrintedPage]:
        key = hashlib.sha256(f"{pdf.resolve()} {pdf.stat().st_mtime_ns}".encode()).hexdigest()[:16]
        cache = shared / f"printed-{key}.json"
        with open(cache.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not cache.is_file():
                pages = [_read_page(page) for page in PdfReader(pdf).pages]
                cache.with_suffix(".partial").write_text(json.dumps(pages), "utf-8")
                cache.with_suffix(".partial").rename(cache)
        return [PrintedPage(text, [tuple(run) for run in runs])
                for text, runs in json.loads(cache.read_text("utf-8"))]

    return read


# -- The browser tests' (test_browser*.py, test_keyboard.py) ------------------

@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a module's tests; each opens its own contexts.

    Not one for the whole run: closed at the end of a pytest-xdist worker's
    session, Playwright waited for ever (a run of make test hung there).
    """
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Chromium: sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served_site(book, config):
    """The built site, served over HTTP on 127.0.0.1 for a module's tests."""
    with serve(book.html, config.get("notfound_urls_prefix")) as url:
        yield url


@pytest.fixture(scope="session")
def site_paths(book) -> list[str]:
    """Every page of the built site, as a path from its root."""
    found = site_pages(book.html)
    assert "index.html" in found
    return found


@pytest.fixture(scope="session")
def sweep_paths(book, site_paths) -> list[str]:
    """The pages the browser sweeps open: every page, or in a book of more
    than SWEEP_PAGES a sample of them (site_in_browser.sweep) that always
    holds the start page and the help page its "Get help now" leads to. A
    sample is said in the run's warnings, so that a sampled pass never reads
    as a full one."""
    chosen = sweep(book.html, site_paths, always=("index.html", help_page(book.html)))
    if len(chosen) < len(site_paths):
        warnings.warn(f"the browser sweeps open {len(chosen)} of the site's {len(site_paths)} "
                      f"pages: one of each kind, and others spread through the book "
                      f"(HANDBOOK_SWEEP_PAGES={SWEEP_PAGES}; 0 opens every page)", stacklevel=1)
    return chosen


@pytest.fixture
def visit(browser, served_site):
    """Opens tabs on the site (``visit(viewport=...)``), each closed after the test."""
    visits = []

    def open_visit(**options) -> Visit:
        visits.append(Visit(browser, served_site, **options))
        return visits[-1]

    yield open_visit
    for v in visits:
        v.close()
