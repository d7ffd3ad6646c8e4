"""Release files: ``make dist`` puts one edition, in every format, in dist/.

``python -m handbook.tools.dist [--draft] [--check] BUILDDIR DISTDIR`` writes,
for edition 1.0, from what ``make`` built in BUILDDIR::

    peer-support-handbook-1.0-website.zip     the website, to unpack and serve
    peer-support-handbook-1.0.pdf             the whole book, to print or read
    peer-support-handbook-1.0-large-print.pdf the large-print PDF, when it was built
    peer-support-handbook-1.0.epub            the e-book
    peer-support-handbook-1.0-SHA256SUMS      check them: sha256sum -c peer-support-...-SHA256SUMS

The names carry the edition (``release`` in conf.py), so earlier editions'
files stay beside them. The zips are reproducible: entries in a fixed order,
each dated with the edition's date (handbook/shared.py) and given the same
permissions, so the same sources give the same bytes on any machine, in any
folder. ``handbook.shared.normalise_zip`` does the same to the EPUB.

It never touches a file it did not write. Before writing anything it refuses
(with why, and what to do instead):

- a DISTDIR that holds anything but release files (names of the pattern
  above, of any edition), the repository's own root, or a folder with files
  git tracks (``DISTDIR=docs`` would otherwise replace pages);
- a release from sources with uncommitted changes, naming them: its date
  would be the last commit's, so it would look clean and not be. ``--draft``
  (``make dist DRAFT=1``) allows it; then the files are named
  ``...-1.0-draft-COMMIT...``, and the build that made them (``HANDBOOK_DRAFT``,
  conf.py's ``handbook_draft``) says "draft" in every page's footer;
- an empty or missing ``release`` in conf.py.

``--check`` runs only these checks, so ``make dist`` can stop before it builds.
New files are written under temporary names in DISTDIR, then renamed into
place together, so a failure leaves the earlier files as they were.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from handbook.shared import ROOT, build_date, read_conf, write_zip

# Files in the built site that are the build's bookkeeping, not the site.
NOT_THE_SITE = {".built", ".buildinfo"}
# What each release file is called after "<book>-<edition>".
SUFFIXES = ("-website.zip", ".pdf", "-large-print.pdf", ".epub", "-SHA256SUMS")
PARTIAL = ".partial"  # a file being written, before it is renamed into place


class Refusal(Exception):
    """Why make dist will not write the release, and what to do instead."""


@dataclass(frozen=True)
class Edition:
    """What a release is called, and from which sources."""

    book: str  # the file name stem: peer-support-handbook
    release: str  # the edition, from conf.py
    draft: str = ""  # the commit of a draft, or "" for a release

    @property
    def name(self) -> str:
        draft = f"-draft-{self.draft}" if self.draft else ""
        return f"{self.book}-{self.release}{draft}"


def release_pattern(book: str) -> re.Pattern[str]:
    """The names of release files, of any edition, that make dist writes."""
    suffixes = "|".join(re.escape(suffix) for suffix in SUFFIXES)
    return re.compile(rf"{re.escape(book)}-[\w.+-]+?(?:{suffixes})(?:{re.escape(PARTIAL)})?")


def edition_of(conf_path: Path) -> tuple[str, str]:
    """The book's file name stem and the edition, from conf.py."""
    fix = ('Set the edition in conf.py, as in: release = version = "1.1" '
           "(README, \"Releasing an edition\").")
    try:
        conf = read_conf(conf_path)
    except NameError as error:
        if "release" in str(error):
            raise Refusal(f"{conf_path}: `release` is missing. {fix}") from None
        raise
    release = str(conf.get("release") or "").strip()
    if not release:
        raise Refusal(f"{conf_path}: `release` is {'empty' if 'release' in conf else 'missing'}. "
                      f"{fix}")
    if not re.fullmatch(r"[\w.+-]+", release):
        raise Refusal(f"{conf_path}: the edition {release!r} cannot be part of a file name. "
                      'Use digits, letters and dots only, as in: release = version = "1.1".')
    return Path(conf["pdf_filename"]).stem, release


def git(repo: Path, *args: str) -> str | None:
    """A git command's output in repo, or None when repo is not a git checkout."""
    try:
        result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def uncommitted(repo: Path) -> list[str] | None:
    """The files with changes git has not committed, or None without git."""
    status = git(repo, "status", "--porcelain", "--untracked-files=normal")
    if status is None:
        return None
    return [line[3:] for line in status.splitlines() if line.strip()]


def commit_of(repo: Path) -> str:
    return (git(repo, "rev-parse", "--short=12", "HEAD") or "").strip() or "unknown"


def check_sources(repo: Path, draft: bool) -> str:
    """Refuse a release from uncommitted changes; return a draft's commit, or ""."""
    if draft:
        return commit_of(repo)
    changed = uncommitted(repo)
    if changed is None:
        raise Refusal(f"{repo} is not a git checkout, so make dist cannot tell that the "
                      "sources are committed. Release from a clone, or make a draft: "
                      "make dist DRAFT=1")
    if changed:
        listed = "\n".join(f"  {name}" for name in changed[:20])
        more = f"\n  ... and {len(changed) - 20} more" if len(changed) > 20 else ""
        raise Refusal("these files have changes that are not committed, so the release "
                      f"would not match its commit:\n{listed}{more}\n"
                      "Commit them (or undo them) and run make dist again; or, to share "
                      "a draft marked as one, run: make dist DRAFT=1")
    return ""


def check_distdir(distdir: Path, book: str, repo: Path) -> None:
    """Refuse a folder make dist would share with files it did not write."""
    target = distdir.resolve()
    if target == repo.resolve() or target in repo.resolve().parents:
        raise Refusal(f"DISTDIR={distdir} is the repository's own folder (or holds it): "
                      "release files go in a folder of their own, such as "
                      "make dist DISTDIR=dist")
    if distdir.exists() and not distdir.is_dir():
        raise Refusal(f"DISTDIR={distdir} is a file, not a folder. Choose a folder for the "
                      "release files, such as make dist DISTDIR=dist")
    if not distdir.is_dir():
        return
    tracked = git(distdir, "ls-files", "--", ".")
    if tracked and tracked.strip():
        first = tracked.split()[0]
        raise Refusal(f"DISTDIR={distdir} holds files git tracks ({first}, and perhaps "
                      "more): make dist would mix its files with them. Choose a folder "
                      "of its own, such as make dist DISTDIR=dist")
    pattern = release_pattern(book)
    foreign = sorted(p.name for p in distdir.iterdir()
                     if not (p.is_file() and not p.is_symlink() and pattern.fullmatch(p.name)))
    if foreign:
        named = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5
                                         else "")
        raise Refusal(f"DISTDIR={distdir} holds files make dist did not write ({named}). "
                      "It keeps earlier editions' release files, but nothing else: move "
                      "those away, or choose another folder, such as "
                      "make dist DISTDIR=release-files")


def site_members(site: Path, folder: str) -> list[tuple[str, bytes, int]]:
    """The website's files, sorted, inside one top folder."""
    files = sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*")
        if p.is_file() and p.name not in NOT_THE_SITE
    )
    return [(f"{folder}/{name}", (site / name).read_bytes(), zipfile.ZIP_DEFLATED)
            for name in files]


def sha256sums(files: Iterable[tuple[Path, str]]) -> str:
    """The lines of a SHA256SUMS file, in the format ``sha256sum -c`` reads,
    for each (file, the name it is released under)."""
    return "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}\n"
        for path, name in sorted(files, key=lambda pair: pair[1])
    )


def built_files(builddir: Path, book: str) -> dict[str, Path]:
    """What make built, by the release file suffix it becomes."""
    files = {
        "-website.zip": builddir / "html",
        ".pdf": builddir / "pdf" / f"{book}.pdf",
        "-large-print.pdf": builddir / "pdf" / f"{book}-large-print.pdf",
        ".epub": builddir / "epub" / f"{book}.epub",
    }
    missing = [str(path) for suffix, path in files.items()
               if not path.exists() and suffix != "-large-print.pdf"]
    if missing:
        raise Refusal(f"these are not built: {', '.join(missing)}. Run make dist, which "
                      "builds them first.")
    return {suffix: path for suffix, path in files.items() if path.exists()}


def make_dist(builddir: Path, distdir: Path, edition: Edition) -> list[Path]:
    """Write the release files into distdir and return them.

    Each is written under a temporary name first, and all are renamed into
    place at the end, so a failure leaves the earlier files as they were.
    """
    inputs = built_files(builddir, edition.book)
    distdir.mkdir(parents=True, exist_ok=True)
    final = {suffix: distdir / f"{edition.name}{suffix}" for suffix in (*inputs, "-SHA256SUMS")}
    partial = {suffix: path.with_name(path.name + PARTIAL) for suffix, path in final.items()}
    try:
        for suffix, source in inputs.items():
            if suffix == "-website.zip":
                write_zip(partial[suffix], site_members(source, edition.name), build_date(ROOT))
            else:
                partial[suffix].write_bytes(source.read_bytes())
        sums = sha256sums((partial[suffix], final[suffix].name) for suffix in inputs)
        partial["-SHA256SUMS"].write_text(sums, encoding="utf-8")
        for suffix in final:
            os.replace(partial[suffix], final[suffix])
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)
    return sorted(final.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook.tools.dist",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("builddir", type=Path, help="where make built the site, PDF and EPUB")
    parser.add_argument("distdir", type=Path, help="the folder for the release files")
    parser.add_argument("--draft", action="store_true",
                        help="allow uncommitted changes; the files are named as a draft")
    parser.add_argument("--check", action="store_true", help="only check; write nothing")
    parser.add_argument("--repo", type=Path, default=ROOT,
                        help="the git checkout whose commit is released (default: this one)")
    parser.add_argument("--conf", type=Path, default=ROOT / "conf.py",
                        help="the configuration that names the edition (default: conf.py)")
    args = parser.parse_args(argv)
    try:
        book, release = edition_of(args.conf)
        check_distdir(args.distdir, book, args.repo)
        edition = Edition(book, release, check_sources(args.repo, args.draft))
        if not args.check:
            for path in make_dist(args.builddir, args.distdir, edition):
                print(path)
    except Refusal as refusal:
        print(f"make dist: nothing written: {refusal}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
