"""Reproducible builds: the same sources give the same bytes, wherever they are built.

The project is copied, with its git history, into two folders at different
depths, and each copy runs `make dist` into its own build folder with the
same SOURCE_DATE_EPOCH. What may differ between two machines differs between
the two builds too: the hash seed (so a set's order cannot hide), the umask
(file permissions), and the clock (the second build starts a few seconds
after the first, so a file's modification time that leaks into a zip shows).
Every file of the website, the PDF, the EPUB and the release files must be
byte for byte the same, and no output may name the folder it was built in.
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
def builds(tmp_path_factory) -> list[tuple[Path, dict[str, Path]]]:
    """Two builds of two copies, in parallel (a build uses one core): for
    each, the folder holding the copy and the build, and the outputs."""
    runs = []
    for seed, umask, depth in ((1, 0o022, ["a"]), (2, 0o077, ["b", "deeper", "folder"])):
        if runs:
            time.sleep(4)  # more than a zip's 2-second resolution
        top = tmp_path_factory.mktemp(f"repro{seed}")
        copy = _copy_project(top.joinpath(*depth, "handbook"))
        build, dist = top / "build", top / "dist"
        process = subprocess.Popen(
            ["make", "--no-print-directory", "-s", f"VENV={VENV}", "-o", str(VENV / ".installed"),
             f"BUILDDIR={build}", f"DISTDIR={dist}", "dist"],
            cwd=copy, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda umask=umask: os.umask(umask),
            env={**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH),
                 "PYTHONHASHSEED": str(seed)},
        )
        runs.append((process, top, build, dist))
    for process, *_ in runs:
        _, errors = process.communicate(timeout=600)
        assert process.returncode == 0, errors
    return [(top, _outputs(build, dist)) for _, top, build, dist in runs]


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
    for top, outputs in builds:
        folder = str(top).encode()
        for name, path in outputs.items():
            contents = [path.read_bytes()]
            if path.suffix in (".zip", ".epub"):
                with zipfile.ZipFile(path) as archive:
                    contents += [archive.read(member) for member in archive.namelist()]
            if any(folder in data for data in contents):
                leaks.append(name)
    assert not leaks, f"these name the build's folder: {sorted(set(leaks))}"
