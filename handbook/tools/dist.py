"""Release files: ``make dist`` puts one edition, in every format, in dist/.

``python -m handbook.tools.dist SITE PDF EPUB DISTDIR`` writes, for edition 1.0::

    peer-support-handbook-1.0-website.zip   the website, to unpack and serve
    peer-support-handbook-1.0.pdf           the whole book, to print or read
    peer-support-handbook-1.0.epub          the e-book
    SHA256SUMS                              check them with: sha256sum -c SHA256SUMS

The names carry the edition (``release`` in conf.py). The zips are
reproducible: entries in a fixed order, each dated with the edition's date
(handbook/shared.py) and given the same permissions, so the same sources
give the same bytes on any machine, in any folder. ``handbook.shared.normalise_zip``
does the same to the EPUB that Sphinx writes (see handbook/sphinxext/publish.py).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from handbook.shared import ROOT, build_date, read_conf, write_zip

# Files in the built site that are the build's bookkeeping, not the site.
NOT_THE_SITE = {".built", ".buildinfo"}


def site_members(site: Path, folder: str) -> list[tuple[str, bytes, int]]:
    """The website's files, sorted, inside one top folder."""
    files = sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*")
        if p.is_file() and p.name not in NOT_THE_SITE
    )
    return [(f"{folder}/{name}", (site / name).read_bytes(), zipfile.ZIP_DEFLATED)
            for name in files]


def sha256sums(files: Iterable[Path]) -> str:
    """The lines of a SHA256SUMS file, in the format ``sha256sum -c`` reads."""
    return "".join(
        f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n"
        for f in sorted(files, key=lambda f: f.name)
    )


def make_dist(site: Path, pdf: Path, epub: Path, distdir: Path) -> list[Path]:
    """Write the release files into distdir and return them.

    They are written beside it first, so a failure leaves the last release
    files as they were (as the Makefile does with the builds).
    """
    conf = read_conf()
    name = f"{Path(conf['pdf_filename']).stem}-{conf['release']}"
    new = distdir.with_name(f".{distdir.name}.new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    try:
        write_zip(new / f"{name}-website.zip", site_members(site, name), build_date(ROOT))
        shutil.copyfile(pdf, new / f"{name}.pdf")
        shutil.copyfile(epub, new / f"{name}.epub")
        sums = sha256sums(list(new.iterdir()))
        (new / "SHA256SUMS").write_text(sums, encoding="utf-8")
        shutil.rmtree(distdir, ignore_errors=True)
        new.rename(distdir)
    finally:
        shutil.rmtree(new, ignore_errors=True)
    return sorted(distdir.iterdir())


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: python -m handbook.tools.dist SITE PDF EPUB DISTDIR", file=sys.stderr)
        return 2
    site, pdf, epub, distdir = map(Path, argv)
    for path in make_dist(site, pdf, epub, distdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
