"""How `make` builds: the sources read once, afresh, then the three outputs written from that read.

Each test runs the Makefile on a copy of a small book (tests/roots/test-small-book)
in its own folder, so it sees what a contributor's `make` does after an edit.
How long an edit takes is `make bench SCALE=N`'s to measure; these tests hold
what keeps it both fast and strict (handbook/sphinxext/readonce.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT, ROOTS, SOURCE_DATE_EPOCH
from handbook.shared import STRICT
from handbook.sphinxext import readonce
from utils import folder_files

SMALL_BOOK = ROOTS / "test-small-book"
SETTINGS = "-D handbook_review_required=0"  # the copies' review dates are not checked here


def _book(folder: Path) -> Path:
    """A copy of the small book, with a quotation (Sphinx curls quotes as it
    reads, unless the builder is one it excludes), a passage only the PDF has,
    and a citation with its reference list (formatted once, by the read)."""
    docs = folder / "docs"
    shutil.copytree(SMALL_BOOK, docs, ignore=shutil.ignore_patterns("conf.py"))
    with (docs / "first.md").open("a", encoding="utf-8") as page:
        page.write('\nA member said "it helped" and it\'s true {cite:p}`lyons2021`.\n\n'
                   ":::{only} builder_pdf\nThis line is in the PDF only.\n:::\n")
    with (docs / "second.md").open("a", encoding="utf-8") as page:
        page.write("\n## Sources\n\n```{bibliography}\n```\n")
    (docs / "references.bib").write_text(
        "@article{lyons2021,\n  author = {Lyons, Natasha},\n  title = {Group peer support},\n"
        "  journal = {BMC Psychiatry},\n  year = {2021},\n}\n", "utf-8")
    return docs


def _make(builddir: Path, docs: Path, *targets: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", f"BUILDDIR={builddir}", f"DOCS={docs}",
         f"SPHINXOPTS={SETTINGS}", *targets],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH), "MAKEFLAGS": "", **env},
    )


def _outputs(builddir: Path) -> dict[str, bytes]:
    return {name: data for out in ("html", "pdf", "epub")
            for name, data in folder_files(builddir / out).items()}


def _edit(page: Path) -> None:
    page.write_text(page.read_text("utf-8").replace("once a week", "twice a week"), "utf-8")


@pytest.mark.parametrize("problem, where", [
    # Found as the sources are read (by the read alone) ...
    ("An {unknownrole}`x` here.", "unknownrole"),
    # ... and as each output is written (by every writer).
    ("See [the lost page](lost-page.md).", "lost-page"),
])
def test_a_problem_on_one_page_still_fails_make_after_an_edit_to_another(
        tmp_path, problem, where):
    docs, builddir = _book(tmp_path), tmp_path / "build"
    assert _make(builddir, docs).returncode == 0
    good = _outputs(builddir)
    page = docs / "second.md"
    page.write_text(page.read_text("utf-8") + f"\n{problem}\n", "utf-8")

    first = _make(builddir, docs)
    assert first.returncode != 0 and "second.md" in first.stderr and where in first.stderr
    _edit(docs / "first.md")  # another page: an incremental read would miss second.md
    again = _make(builddir, docs)

    assert again.returncode != 0, "the problem on second.md went unreported"
    assert "second.md" in again.stderr and where in again.stderr
    assert _outputs(builddir) == good  # a failed build keeps the last good outputs


def test_a_pdf_that_cannot_be_made_stops_make(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOTS / "pdf-missing-glyph", docs)
    result = _make(tmp_path / "build", docs)
    assert result.returncode != 0
    assert "index.md:7: ERROR: PDF: PDF/UA-1 error" in result.stderr
    assert not (tmp_path / "build" / "html").exists()  # no site without its PDF


def test_make_pdf_and_make_epub_each_work_alone_and_share_one_read(tmp_path):
    docs, builddir = _book(tmp_path), tmp_path / "build"
    result = _make(builddir, docs, "pdf")
    assert result.returncode == 0, result.stderr
    assert (builddir / "pdf" / "peer-support-handbook.pdf").is_file()
    assert not (builddir / "html").exists() and not (builddir / "epub").exists()
    env = builddir / "doctrees" / "book" / "environment.pickle"
    read = env.stat().st_mtime_ns

    result = _make(builddir, docs, "epub")

    assert result.returncode == 0, result.stderr
    assert (builddir / "epub" / "peer-support-handbook.epub").is_file()
    assert env.stat().st_mtime_ns == read, "make epub read the sources again"


def test_a_writer_reads_nothing_and_make_reads_afresh_after_it_stops(tmp_path):
    docs, builddir = _book(tmp_path), tmp_path / "build"
    assert _make(builddir, docs, "pdf").returncode == 0
    good = folder_files(builddir / "pdf")
    _edit(docs / "first.md")
    stamp = builddir / "doctrees" / "book" / ".read"
    later = stamp.stat().st_mtime + 3600
    os.utime(stamp, (later, later))  # as if the page were saved while the PDF was written

    stopped = _make(builddir, docs, "pdf")

    assert stopped.returncode != 0
    assert "would read first again" in stopped.stderr and "run make again" in stopped.stderr
    assert folder_files(builddir / "pdf") == good
    again = _make(builddir, docs, "pdf")
    assert again.returncode == 0, again.stderr
    assert b"twice a week" in (builddir / "pdf" / "content.typ").read_bytes()


def test_outputs_are_those_of_three_separate_builds(tmp_path):
    """One read for three outputs gives each the bytes its own fresh build gives,
    though each writer is forked from the warm server the read starts."""
    docs, builddir, log = _book(tmp_path), tmp_path / "build", tmp_path / "warm.jsonl"
    result = _make(builddir, docs, HANDBOOK_WARM_LOG=str(log))
    assert result.returncode == 0, result.stderr
    forked = [json.loads(line)["command"] for line in log.read_text("utf-8").splitlines()]
    assert sorted(command[command.index("-b") + 1] for command in forked) == [
        "epub", "html", "pdf"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)}
    for builder in ("html", "pdf", "epub"):
        out = tmp_path / f"alone-{builder}"
        alone = subprocess.run(
            [sys.executable, "-m", "sphinx", *STRICT, "-c", str(ROOT), *SETTINGS.split(),
             "-d", str(tmp_path / f"doctrees-{builder}"), "-b", builder, str(docs), str(out)],
            cwd=ROOT, capture_output=True, text=True, env=env,
        )
        assert alone.returncode == 0, alone.stderr
        expected = {name: data for name, data in folder_files(out).items() if name != ".buildinfo"}
        written = folder_files(builddir / builder)
        assert {name: written.get(name) for name in expected} == expected, builder
    pdf_html = folder_files(builddir / "pdf")["index.html"]
    assert b"in the PDF only" in pdf_html
    assert b"in the PDF only" not in folder_files(builddir / "html")["first.html"]
    assert "\u201cit helped\u201d".encode() in folder_files(builddir / "html")["first.html"]
    assert b"Lyons" in folder_files(builddir / "html")["first.html"]  # the citation, resolved


def _app(builder: str, excluded: list[str], write_only: bool, read_by: str | None = None):
    env = SimpleNamespace(**({"handbook_read_by": read_by} if read_by else {}))
    config = SimpleNamespace(handbook_write_only=write_only,
                             smartquotes_excludes={"builders": excluded})
    return SimpleNamespace(env=env, config=config, builder=SimpleNamespace(name=builder),
                           confdir=str(ROOT))


def test_one_read_is_refused_when_quotes_would_differ_by_builder(caplog):
    reader = _app("dummy", ["epub"], write_only=False)
    readonce._note_reader(reader)
    assert reader.env.handbook_read_by == "dummy"
    readonce._note_reader(_app("html", ["epub"], True, "dummy"))  # both curl quotes
    with pytest.raises(SystemExit):
        readonce._note_reader(_app("epub", ["epub"], True, "dummy"))
    assert "smartquotes_excludes" in caplog.text
    # conf.py does not set it, so its first line; the path as given, or made
    # relative to the folder make runs in by messages.py, when another test
    # of the same process has loaded that extension's filter.
    path, line = caplog.records[-1].location.rsplit(":", 1)
    assert ((ROOT / path).resolve(), line) == (ROOT / "conf.py", "1")
