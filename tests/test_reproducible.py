"""Reproducible builds: the same sources give the same bytes, wherever they are built.

Two builds with the same SOURCE_DATE_EPOCH are compared. One is the build
every other check reads (conftest.py's ``book``: ``make html`` in this
checkout), with its release files written as ``make dist`` writes them. The
other is a copy of the project, with its git history, in a folder at another
depth, running ``make dist`` into its own build folder. What may differ
between two machines differs between the two builds too: the folders, the
hash seed (so a set's order cannot hide), the umask (file permissions), and
the clock (the copy builds later, so a file's modification time that leaks
into a zip shows). Every file of the website, the PDF, the EPUB and the
release files must be byte for byte the same, and no output may name the
folder it was built in.

(Issue 15: until then two copies were built, side by side; reusing the
checks' own build saves one whole build, at 10× the pages a minute and a
half of the run.)
"""

import os
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from utils import ROOT, SOURCE_DATE_EPOCH

VENV = ROOT / ".venv"


def _copy_project(target: Path) -> Path:
    """The working tree as git sees it (committed or not, less what is ignored),
    with its history, so both copies date their pages alike.

    The history comes by a clone (a git worktree's .git is only a file naming
    its repository), moved to this checkout's commit, whose index is then
    the commit's: the copy's changes against it are the working tree's own.
    """
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(target)],
                   check=True, capture_output=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # not a file deleted but not yet committed
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for command in (["fetch", "-q", str(ROOT), "HEAD"], ["reset", "-q", "FETCH_HEAD"]):
        subprocess.run(["git", *command], cwd=target, check=True, capture_output=True)
    return target


def _outputs(build: Path, dist: Path) -> dict[str, Path]:
    """Every published file of one build, by a name both builds share."""
    files = {f"html/{p.relative_to(build / 'html').as_posix()}": p
             for p in (build / "html").rglob("*") if p.is_file()}
    files.update({f"pdf/{p.name}": p for p in (build / "pdf").glob("*.pdf")})
    files.update({f"epub/{p.name}": p for p in (build / "epub").glob("*.epub")})
    files.update({f"dist/{p.name}": p for p in dist.iterdir()})
    return files


@pytest.fixture(scope="module")
def builds(book, tmp_path_factory) -> list[tuple[list[Path], dict[str, Path]]]:
    """The checks' own build and a copy's: for each, the folders it must not
    name (the project's and the build's), and its outputs."""
    dist = tmp_path_factory.mktemp("repro-dist")
    released = subprocess.run(  # what make dist runs after its builds
        [str(VENV / "bin" / "python"), "-m", "handbook.tools.dist", str(book.builddir), str(dist)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)},
    )
    assert released.returncode == 0, released.stderr
    first = ([ROOT, book.builddir], _outputs(book.builddir, dist))

    umask = os.umask(0o022)
    os.umask(umask)
    seed = os.environ.get("PYTHONHASHSEED")
    top = tmp_path_factory.mktemp("repro")
    copy = _copy_project(top / "a" / "deeper" / "folder" / "handbook")
    wait = 4 - (time.time() - (book.html / ".built").stat().st_mtime)
    time.sleep(max(0, wait))  # more than a zip's 2-second resolution
    build, dist = top / "build", top / "dist"
    made = subprocess.run(
        ["make", "--no-print-directory", "-s", f"VENV={VENV}", "-o", str(VENV / ".installed"),
         f"BUILDDIR={build}", f"DISTDIR={dist}", "dist"],
        cwd=copy, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600,
        preexec_fn=lambda: os.umask(0o077 if umask != 0o077 else 0o022),
        env={**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH),
             "PYTHONHASHSEED": "2" if seed != "2" else "1"},
    )
    assert made.returncode == 0, made.stderr
    return [first, ([top], _outputs(build, dist))]


def test_two_builds_in_different_folders_are_byte_identical(builds):
    (_, first), (_, second) = builds
    assert any(name.startswith("pdf/") for name in first)
    assert any(name.startswith("epub/") for name in first)
    # the website zip, the PDF, its large print, the EPUB and the SHA256SUMS
    assert len([n for n in first if n.startswith("dist/")]) == 5
    only_one = sorted(set(first) ^ set(second))
    assert not only_one, f"in one build only: {only_one}"
    differ = sorted(name for name in first if first[name].read_bytes() != second[name].read_bytes())
    assert not differ, f"differ between the two builds: {differ}"


def test_no_output_names_the_folder_it_was_built_in(builds):
    leaks = []
    for folders, outputs in builds:
        names = [str(folder).encode() for folder in folders]
        for name, path in outputs.items():
            contents = [path.read_bytes()]
            if path.suffix in (".zip", ".epub"):
                with zipfile.ZipFile(path) as archive:
                    contents += [archive.read(member) for member in archive.namelist()]
            if any(folder in data for folder in names for data in contents):
                leaks.append(name)
    assert not leaks, f"these name the build's folder: {sorted(set(leaks))}"
