"""What the Sphinx extensions and the command-line tools both need.

- ``build_date``: the date an edition carries, reproducible: ``SOURCE_DATE_EPOCH``
  when it is set, otherwise the date of the last commit, outside a git
  checkout today.
- ``write_zip`` and ``normalise_zip``: zips with fixed dates and permissions,
  so the same sources give the same bytes (the EPUB, the release zip).
- ``read_conf``: the settings of ``conf.py``, for code that runs outside Sphinx.
- ``STRICT``: sphinx-build's options for a build that fails on any warning,
  read afresh (the Makefile's ``SPHINX`` gives the same).
- ``site_pages``: the pages of a built website (not the theme's template
  fragments, which it leaves in ``_static``).
"""

from __future__ import annotations

import datetime as dt
import os
import runpy
import subprocess
import zipfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: conf.py, docs/
# Warnings are errors (-W -n), every source is read afresh (-E), and every
# problem is listed before it stops (--keep-going): as the Makefile builds.
STRICT = ["-W", "-n", "-E", "--keep-going", "-q"]


def build_date(root: Path = ROOT) -> dt.datetime:
    """Return the edition's timestamp in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        try:
            epoch = subprocess.run(
                ["git", "log", "-1", "--format=%ct"],
                cwd=root, capture_output=True, text=True, check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            epoch = ""
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc)


@cache
def read_conf(path: Path = ROOT / "conf.py") -> dict:
    """conf.py's settings as a dict, read once (as Sphinx would, by running it)."""
    return runpy.run_path(str(path))


def site_pages(html: Path) -> list[Path]:
    """The built website's pages, sorted (the theme leaves template fragments in _static)."""
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts)


def zip_date(date: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry's timestamp (zip cannot say anything before 1980)."""
    date = max(date.astimezone(dt.timezone.utc), dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc))
    return date.timetuple()[:6]


def write_zip(target: Path, members: Iterable[tuple[str, bytes, int]], date: dt.datetime) -> None:
    """Write (name, data, compression) members, in the order given, reproducibly."""
    stamp = zip_date(date)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data, compression in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = compression
            info.create_system = 3  # Unix, whatever system wrote it
            info.external_attr = 0o100644 << 16  # a plain file, rw-r--r--
            archive.writestr(info, data)


def normalise_zip(path: Path, date: dt.datetime) -> None:
    """Rewrite a zip in place with the same entries, order and compression,
    but the given date and fixed permissions (an EPUB keeps its layout)."""
    with zipfile.ZipFile(path) as archive:
        members = [(i.filename, archive.read(i), i.compress_type) for i in archive.infolist()]
    write_zip(path, members, date)
