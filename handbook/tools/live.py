"""Live preview: ``make live`` serves the website and rebuilds it on every save.

``python -m handbook.tools.live [DOCS] [BUILDDIR] [PORT]`` runs sphinx-autobuild on
127.0.0.1 and the browser reloads itself after each rebuild. The first build
reads every page afresh, so it shows every problem in the handbook; later
builds read only the pages that changed (no ``-E``), which keeps them fast,
and show those pages' problems, each with how to fix it.

``measure_rebuild()`` times what a contributor waits for after saving one
page: the same Sphinx command sphinx-autobuild runs, after a one-page edit.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from handbook.shared import ROOT


def sphinx_args(docs: Path, builddir: Path) -> list[str]:
    """The Sphinx options of a live build: warnings shown, not fatal, no -E.

    ``handbook_live`` (a config value of sphinxext/lean.py) lets the build
    skip work a preview does not need, to keep a rebuild within a second or so.
    """
    return ["-q", "-n", "--keep-going", "-D", "handbook_live=1", "-c", str(ROOT),
            "-d", str(builddir / "doctrees" / "live"), "-b", "html", str(docs),
            str(builddir / "live")]


def main(argv: list[str]) -> int:
    docs = Path(argv[0] if argv else "docs")
    builddir = Path(argv[1] if len(argv) > 1 else "_build")
    port = argv[2] if len(argv) > 2 else "8000"
    # The first build is a full one, so it lists every problem there is.
    shutil.rmtree(builddir / "live", ignore_errors=True)
    shutil.rmtree(builddir / "doctrees" / "live", ignore_errors=True)
    from sphinx_autobuild.__main__ import main as autobuild

    autobuild([
        "--host", "127.0.0.1", "--port", port,
        "--watch", str(ROOT / "conf.py"), "--watch", str(ROOT / "handbook"),
        "--re-ignore", r"__pycache__", *sphinx_args(docs, builddir),
    ])
    return 0


@dataclass(frozen=True)
class Timing:
    """Seconds for the live preview's first, full build and for a rebuild."""

    full: float
    rebuild: float


@contextmanager
def _scratch_copy(docs: Path) -> Iterator[tuple[Path, list[str], dict[str, str]]]:
    """The pages copied into a temporary git repository (so the "last updated"
    dates are looked up as in the real one), with the live build's command."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        copy = work / "docs"
        shutil.copytree(docs, copy)
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "pages"]):
            subprocess.run(git + command, cwd=work, check=True, capture_output=True)
        build = [sys.executable, "-m", "sphinx", "build", *sphinx_args(copy, work / "_build")]
        yield copy, build, {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}


def _edit(page: Path, number: int) -> None:
    with page.open("a", encoding="utf-8") as text:
        text.write(f"\nAnother sentence, number {number}.\n")


def measure_rebuild(docs: Path = ROOT / "docs", edits: int = 3) -> Timing:
    """Time a live rebuild after one page is edited (the median of a few).

    The pages are built once in full in a scratch copy, then one page is
    edited and rebuilt ``edits`` times. Nothing in ``docs`` is touched.
    """
    with _scratch_copy(docs) as (copy, build, env):
        start = time.perf_counter()
        subprocess.run(build, cwd=ROOT, check=True, capture_output=True, env=env)
        full = time.perf_counter() - start
        page = _a_chapter_page(copy)
        timings = []
        for number in range(edits):
            _edit(page, number + 1)
            start = time.perf_counter()
            subprocess.run(build, cwd=ROOT, check=True, capture_output=True, env=env)
            timings.append(time.perf_counter() - start)
        return Timing(full, statistics.median(timings))


def pages_read_on_rebuild(docs: Path = ROOT / "docs") -> tuple[str, list[str]]:
    """What a live rebuild reads after a one-page edit: the page edited, and
    every page Sphinx read again (from its "reading sources" lines). A
    behaviour, so the tests can hold it whatever the machine's speed."""
    with _scratch_copy(docs) as (copy, build, env):
        subprocess.run(build, cwd=ROOT, check=True, capture_output=True, env=env)
        page = _a_chapter_page(copy)
        _edit(page, 1)
        verbose = [arg for arg in build if arg != "-q"]
        result = subprocess.run(verbose, cwd=ROOT, check=True, capture_output=True, text=True,
                                env=env)
        read = re.findall(r"^reading sources\.\.\. \[\s*\d+%\] (\S+)", result.stdout, re.M)
        return page.relative_to(copy).with_suffix("").as_posix(), read


def _a_chapter_page(docs: Path) -> Path:
    """The longest page that is not the start page: a typical edit."""
    pages = [page for page in docs.rglob("*.md") if page.name != "index.md"]
    return max(pages or [docs / "index.md"], key=lambda page: page.stat().st_size)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        timing = measure_rebuild()
        print(f"{timing.rebuild:.2f} s to rebuild after a one-page edit "
              f"({timing.full:.2f} s for the first, full build)")
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
