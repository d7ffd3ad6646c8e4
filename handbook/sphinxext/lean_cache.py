"""The lean website's stylesheet and icon fonts, kept from one build to the next.

Why: ``make`` writes the whole website afresh after any edit (into a new
folder, swapped in on success), and cutting the theme's stylesheets down
(``bundle_css``: tinycss2) and its icon fonts (``subset_icon_fonts``:
fontTools) took some 40 % of the html writer's time, though after a one-word
edit their inputs are the same, and so is their result.

So the result is kept by content, in the build's doctree folder
(``<doctreedir>/lean-cache/``; the output folder is new each time):

- **The key** is a digest of everything the result depends on: this format's
  version, the code that makes it (this module's and ``lean_assets``'s text,
  and the versions of tinycss2, fontTools and Brotli), the stylesheets' names,
  the class and id names the pages use (``known``) and the scripts' prefixes,
  and the content of every file read: each stylesheet as read (the ones it
  @imports too) and each font before it was subset.
- **Which files** a result was made from, a miss notes as it reads them
  (``lean_assets.Reads``); a lookup digests those same files again. When each
  has the content it had, the same files would be read in the same way (the
  next file to read depends only on the names and the files read before it),
  so the result is the same: it is reused.
- **A hit writes the same bytes** as a miss: the stylesheet's text and each
  subset font, over the theme's font in the output.
- **One entry**, one file (``entry.json``), replaced whole by a rename, that
  starts with the digest of the rest: a file cut short or changed fails that
  check, and the result is computed again. Nothing else is written there,
  and nothing else is removed.
- A build that warned of a missing stylesheet is not kept, so that the next
  build warns again.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

from handbook.sphinxext import lean_assets
from handbook.sphinxext.lean_assets import Reads, ascii_css, bundle_css, digest, subset_icon_fonts

FORMAT = "lean-cache 1"
ENTRY = "entry.json"
_CODE = [Path(__file__), Path(lean_assets.__file__)]
_LIBRARIES = ["tinycss2", "fonttools", "brotli"]


def site_css(out: Path, names: list[str], known: set[str], prefixes, folder: Path | None) -> str:
    """The site's stylesheet (``ascii_css`` of the icon-subset bundle), with
    the fonts in ``out`` subset: from the entry in ``folder`` when its inputs
    are the same, else made (and kept there; ``folder`` None: not kept)."""
    base = _base(names, known, prefixes)
    entry = _load(folder / ENTRY) if folder is not None else None
    if entry is not None and entry["key"] == _key(base, _sheets(out, entry["sheets"]),
                                                  _fonts(out, entry["fonts"])):
        for name, data in entry["written"].items():
            (out / name).write_bytes(base64.b64decode(data))
        return entry["css"]
    reads = Reads()
    css = ascii_css(subset_icon_fonts(out, bundle_css(out, names, known, prefixes, reads),
                                      known, reads))
    if folder is not None and None not in reads.sheets.values():
        written = {}
        for name, before in sorted(reads.fonts.items()):
            data = (out / name).read_bytes() if before is not None else None
            if data is not None and digest(data) != before:
                written[name] = base64.b64encode(data).decode("ascii")
        _store(folder / ENTRY, {
            "key": _key(base, reads.sheets, reads.fonts), "sheets": sorted(reads.sheets),
            "fonts": sorted(reads.fonts), "css": css, "written": written,
        })
    return css


def _base(names: list[str], known: set[str], prefixes) -> list:
    code = [digest(path.read_bytes()) for path in _CODE]
    return [FORMAT, code, [metadata.version(n) for n in _LIBRARIES],
            list(names), sorted(known), list(prefixes)]


def _key(base: list, sheets: dict, fonts: dict) -> str:
    text = json.dumps([base, sorted(sheets.items()), sorted(fonts.items())])
    return digest(text.encode())


def _sheets(out: Path, names: list[str]) -> dict[str, str | None]:
    """Each stylesheet's digest now, read as ``bundle_css`` reads it (as text)."""
    return _digests(out, names, lambda path: path.read_text(encoding="utf-8").encode())


def _fonts(out: Path, names: list[str]) -> dict[str, str | None]:
    return _digests(out, names, Path.read_bytes)


def _digests(out: Path, names: list[str], read) -> dict[str, str | None]:
    """Each file's ``digest`` of what ``read`` gives (None: missing)."""
    found = {}
    for name in names:
        path = out / name
        try:
            found[name] = digest(read(path)) if path.is_file() else None
        except (OSError, UnicodeError):
            found[name] = "unreadable"  # no digest is that: made afresh, which reports it
    return found


def _load(path: Path) -> dict | None:
    """The entry, or None when there is none or it fails its digest."""
    try:
        check, _, payload = path.read_bytes().partition(b"\n")
        if check.decode("ascii") != digest(payload):
            return None
        entry = json.loads(payload)
    except (OSError, ValueError):  # missing, unreadable or not an entry
        return None
    keys = {"key", "sheets", "fonts", "css", "written"}
    return entry if isinstance(entry, dict) and set(entry) == keys else None


def _store(path: Path, entry: dict) -> None:
    """Write the entry whole, in place of the last (a rename), or not at all.

    A half-written entry that a stopped build left (its name is this
    module's: ``entry.json.*.tmp``) is removed first.
    """
    payload = json.dumps(entry, sort_keys=True).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for left in path.parent.glob(ENTRY + ".*.tmp"):
            left.unlink(missing_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=ENTRY + ".", suffix=".tmp")
    except OSError:
        return  # a cache that cannot be written only costs the next build time
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(digest(payload).encode("ascii") + b"\n" + payload)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
