"""`make dist` touches only files it wrote, and releases only committed sources.

Each refusal is checked twice over: the command fails saying why and what to
do, and a hash of every file around it is the same before and after. The
release files themselves are checked in test_publishing.py, on the real book.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
from utils import ROOT

from handbook.tools.dist import main

BOOK = "peer-support-handbook"


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder (symbolic links as their target), with its hash."""
    return {
        path.relative_to(folder).as_posix(): (
            f"-> {os.readlink(path)}" if path.is_symlink()
            else hashlib.sha256(path.read_bytes()).hexdigest()
        )
        for path in sorted(folder.rglob("*")) if path.is_file() or path.is_symlink()
    }


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@localhost", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A clean git checkout to release from (the sources' state is all it gives)."""
    checkout = tmp_path / "repo"
    checkout.mkdir()
    (checkout / "page.md").write_text("# A page\n")
    git(checkout, "init", "-q")
    git(checkout, "add", ".")
    git(checkout, "commit", "-q", "-m", "A page")
    return checkout


@pytest.fixture
def built(tmp_path) -> Path:
    """A build folder as make leaves it: the site, the PDFs and the EPUB."""
    builddir = tmp_path / "build"
    for name, data in [("html/index.html", b"<p>site</p>"), ("html/.built", b""),
                       (f"pdf/{BOOK}.pdf", b"%PDF book"),
                       (f"pdf/{BOOK}-large-print.pdf", b"%PDF large"),
                       (f"epub/{BOOK}.epub", b"PK epub")]:
        (builddir / name).parent.mkdir(parents=True, exist_ok=True)
        (builddir / name).write_bytes(data)
    return builddir


def dist(built: Path, distdir: Path, repo: Path, *options: str) -> int:
    return main([str(built), str(distdir), "--repo", str(repo),
                 "--conf", str(ROOT / "conf.py"), *options])


def release_names(release: str) -> list[str]:
    name = f"{BOOK}-{release}"
    return sorted(f"{name}{suffix}" for suffix in
                  ("-website.zip", ".pdf", "-large-print.pdf", ".epub", "-SHA256SUMS"))


def test_a_release_goes_into_a_new_folder_with_every_file_named_with_the_edition(
        built, repo, tmp_path, config):
    distdir = tmp_path / "dist"
    assert dist(built, distdir, repo) == 0
    assert sorted(p.name for p in distdir.iterdir()) == release_names(config["release"])
    sums = (distdir / f"{BOOK}-{config['release']}-SHA256SUMS").read_text().splitlines()
    assert len(sums) == 4 and all(line.split("  ")[1] in os.listdir(distdir) for line in sums)


def test_earlier_editions_files_stay(built, repo, tmp_path, config):
    distdir = tmp_path / "dist"
    distdir.mkdir()
    for name in release_names("0.9"):
        (distdir / name).write_text(f"edition 0.9: {name}")
    before = tree(distdir)
    assert dist(built, distdir, repo) == 0
    after = tree(distdir)
    assert {name: after[name] for name in before} == before
    assert set(after) - set(before) == set(release_names(config["release"]))


@pytest.mark.parametrize("foreign", ["keep-me.txt", "RELEASE-NOTES.md", "old/edition.pdf"])
def test_a_folder_with_files_it_did_not_write_is_refused(built, repo, tmp_path, capsys, foreign):
    distdir = tmp_path / "my-folder"
    (distdir / foreign).parent.mkdir(parents=True)
    (distdir / foreign).write_text("someone's file")
    before = tree(tmp_path)
    assert dist(built, distdir, repo) == 1
    message = capsys.readouterr().err
    assert "did not write" in message and foreign.split("/")[0] in message
    assert "DISTDIR=" in message  # what to do instead
    assert tree(tmp_path) == before


def test_make_dist_into_a_folder_of_tracked_pages_is_refused_before_building(tmp_path):
    before = tree(ROOT / "docs")
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "-o", ".venv/.installed",
         f"BUILDDIR={tmp_path / 'build'}", "DISTDIR=docs", "dist"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "holds files git tracks" in result.stderr and "DISTDIR=dist" in result.stderr
    assert tree(ROOT / "docs") == before
    assert not (tmp_path / "build").exists()  # refused before building anything


def test_the_repository_root_is_refused(built, tmp_path, capsys):
    before = tree(built)
    assert main([str(built), str(ROOT), "--check"]) == 1
    assert "repository's own folder" in capsys.readouterr().err
    assert tree(built) == before


def test_uncommitted_changes_are_refused_naming_each_file(built, repo, tmp_path, capsys):
    (repo / "page.md").write_text("# A page, changed\n")
    (repo / "new-page.md").write_text("# New\n")
    distdir = tmp_path / "dist"
    before = tree(tmp_path)
    assert dist(built, distdir, repo) == 1
    message = capsys.readouterr().err
    assert "page.md" in message and "new-page.md" in message
    assert "make dist DRAFT=1" in message
    assert tree(tmp_path) == before and not distdir.exists()


def test_a_draft_from_uncommitted_changes_is_named_as_a_draft_of_its_commit(
        built, repo, tmp_path, config):
    (repo / "page.md").write_text("# A page, changed\n")
    commit = git(repo, "rev-parse", "--short=12", "HEAD").strip()
    distdir = tmp_path / "dist"
    assert dist(built, distdir, repo, "--draft") == 0
    assert sorted(p.name for p in distdir.iterdir()) == release_names(
        f"{config['release']}-draft-{commit}")


@pytest.mark.parametrize("setting", ['release = ""\n', "", "footer = f\"Edition {release}\"\n"])
def test_an_empty_or_missing_release_is_one_clear_message(built, repo, tmp_path, capsys,
                                                          setting):
    conf = tmp_path / "conf.py"
    conf.write_text(f'pdf_filename = "{BOOK}.pdf"\n{setting}')
    before = tree(tmp_path)
    assert main([str(built), str(tmp_path / "dist"), "--repo", str(repo),
                 "--conf", str(conf)]) == 1
    message = capsys.readouterr().err
    assert f"{conf}: `release` is" in message
    assert 'release = version = "1.1"' in message and "Traceback" not in message
    assert tree(tmp_path) == before


def test_a_build_with_an_empty_release_stops_naming_conf_py(tmp_path):
    result = subprocess.run(
        [ROOT / ".venv/bin/sphinx-build", "-q", "-W", "-b", "dummy", "-c", str(ROOT),
         "-D", "release=", str(ROOT / "tests/roots/test-small-book"), str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert re.search(r"^conf\.py:\d+: ERROR: `release` is empty", result.stderr, re.M)
    assert 'release = version = "1.1"' in result.stderr and "Traceback" not in result.stderr



def test_a_conf_py_with_no_release_line_is_named_as_a_file_not_a_page(tmp_path):
    # With no line to point at, the message names conf.py itself (Sphinx
    # reads a location without a line number as a page: "conf.py.rst").
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "conf.py").write_text('extensions = ["handbook.sphinxext.release"]\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.rst").write_text("A book\n======\n")
    result = subprocess.run(
        [ROOT / ".venv/bin/sphinx-build", "-q", "-W", "-b", "dummy", "-c", str(tmp_path / "conf"),
         str(tmp_path / "src"), str(tmp_path / "out")],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode != 0
    assert re.search(r"conf\.py:1: ERROR: `release` is empty", result.stderr), result.stderr
    assert "conf.py.rst" not in result.stderr

def _small_book(out: Path, builder: str, draft: str) -> Path:
    """The small book built with one builder, as a draft of ``draft`` ("" for a release)."""
    subprocess.run(
        [ROOT / ".venv/bin/sphinx-build", "-q", "-b", builder, "-c", str(ROOT),
         str(ROOT / "tests/roots/test-small-book"), str(out)],
        cwd=ROOT, check=True, capture_output=True, env={**os.environ, "HANDBOOK_DRAFT": draft},
    )
    return out


def test_a_drafts_footer_says_it_is_a_draft_of_its_commit(tmp_path):
    def footer(draft: str) -> str:
        out = _small_book(tmp_path / (draft or "release"), "html", draft)
        page = (out / "first.html").read_text(encoding="utf-8")
        return re.search(r'<div class="extra_footer">(.*?)</div>', page, re.S)[1]

    assert "Draft</strong> from commit 0123456789ab, not a release" in footer("0123456789ab")
    assert "Draft" not in footer("")


def test_a_drafts_pdf_cover_says_it_is_a_draft_of_its_commit(tmp_path):
    from pypdf import PdfReader

    def cover(draft: str) -> str:
        out = _small_book(tmp_path / (draft or "release"), "pdf", draft)
        pdf = next(out.glob("*.pdf"))
        return " ".join(PdfReader(pdf).pages[0].extract_text().split())

    assert "Draft from commit 0123456789ab, not a release." in cover("0123456789ab")
    assert "Draft" not in cover("")
