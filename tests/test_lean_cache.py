"""The lean site's stylesheet and icon fonts, kept by content (lean_cache.py).

A cached result must be the bytes a fresh one would be, and a change to
anything it is made from (a stylesheet, one it @imports, the names the pages
use, a font) must make it afresh. Most tests run ``site_css`` on a small
output folder of their own, with a real icon font from the theme; the last
builds the small book twice on one doctree folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pydata_sphinx_theme
import pytest
from utils import BUILDINFO, ROOTS, folder_files

from handbook.sphinxext import lean_cache
from handbook.sphinxext.lean_assets import CSS_BUNDLE
from handbook.sphinxext.lean_cache import ENTRY, site_css

WEBFONTS = (Path(pydata_sphinx_theme.__file__).parent
            / "theme/pydata_sphinx_theme/static/vendor/fontawesome/webfonts")
FONT = "_static/fonts/fa-solid-900.woff2"
NAMES = ["_static/styles/theme.css"]
KNOWN = {"used", "icon"}
PREFIXES = ("bs-",)
SHEETS = {
    "_static/styles/theme.css": (
        '@import "base.css";\n'
        ".used{color:red}.unused{color:blue}.bs-tooltip{margin:0}\n"
        '@font-face{font-family:"FA";src:url("../fonts/fa-solid-900.woff2") format("woff2")}\n'
        '.icon::before{content:"\\f00c"}\n'
    ),
    "_static/styles/base.css": ".used{padding:0}.icon{font-family:FA}\n",
}


def _output(folder: Path, sheets: dict[str, str] = SHEETS, font: str = "fa-solid-900.woff2") -> Path:
    """An output folder as the html writer leaves it, before lean's pass."""
    for name, text in sheets.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / FONT).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(WEBFONTS / font, folder / FONT)
    return folder


def _result(out: Path, cache: Path | None, names=NAMES, known=KNOWN, prefixes=PREFIXES):
    """The stylesheet and the font's bytes after site_css."""
    css = site_css(out, names, known, prefixes, cache)
    return css, (out / FONT).read_bytes()


def _not_made(*args, **kwargs):
    raise AssertionError("the bundle was made again: the cache was not used")


def test_a_warm_cache_gives_the_bytes_of_a_cold_one(tmp_path, monkeypatch):
    fresh = _result(_output(tmp_path / "fresh"), None)
    cold = _result(_output(tmp_path / "cold"), tmp_path / "cache")
    assert (tmp_path / "cache" / ENTRY).is_file()
    monkeypatch.setattr(lean_cache, "bundle_css", _not_made)
    monkeypatch.setattr(lean_cache, "subset_icon_fonts", _not_made)
    warm = _result(_output(tmp_path / "warm"), tmp_path / "cache")
    assert cold == fresh and warm == fresh
    assert ".used{" in fresh[0] and ".unused" not in fresh[0]  # it was cut down
    assert fresh[1] != (WEBFONTS / "fa-solid-900.woff2").read_bytes()  # and subset


CHANGES = {
    "a stylesheet": dict(sheets={**SHEETS, NAMES[0]: SHEETS[NAMES[0]] + ".used{margin:1px}\n"}),
    "a stylesheet it imports": dict(sheets={**SHEETS, "_static/styles/base.css": ".used{padding:2px}\n"}),
    "the names the pages use": dict(known=KNOWN | {"unused"}),
    "the scripts' prefixes": dict(prefixes=()),
    "the stylesheets linked": dict(names=["_static/styles/base.css"]),
    "a font": dict(font="fa-regular-400.woff2"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_what_it_is_made_from_makes_it_afresh(tmp_path, change):
    """Warm the cache, change one input: the result is a fresh one's."""
    cache = tmp_path / "cache"
    before = _result(_output(tmp_path / "before"), cache)
    changed = CHANGES[change]
    files = {k: changed[k] for k in ("sheets", "font") if k in changed}
    inputs = {k: changed[k] for k in ("names", "known", "prefixes") if k in changed}
    fresh = _result(_output(tmp_path / "fresh", **files), None, **inputs)
    assert fresh != before, "the change does not change the result: the test shows nothing"
    assert _result(_output(tmp_path / "after", **files), cache, **inputs) == fresh


@pytest.mark.parametrize("damage", ["cut short", "a byte changed", "not an entry", "empty"])
def test_a_damaged_entry_is_made_afresh(tmp_path, damage):
    cache = tmp_path / "cache"
    fresh = _result(_output(tmp_path / "fresh"), None)
    _result(_output(tmp_path / "cold"), cache)
    entry = cache / ENTRY
    data = entry.read_bytes()
    # A stylesheet that an entry would serve wrongly, were its check skipped.
    wrong = data.replace(b".used{color:red}", b".used{color:tan}")
    assert wrong != data
    entry.write_bytes({"cut short": data[: len(data) // 2], "a byte changed": wrong,
                       "not an entry": b"{}", "empty": b""}[damage])
    assert _result(_output(tmp_path / "after"), cache) == fresh
    assert entry.read_bytes() == data  # and kept again, whole


def test_the_cache_keeps_one_entry_and_nothing_else(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f"{ENTRY}.x1y2.tmp").write_text("half an entry, from a build that was stopped")
    (cache / "notes.txt").write_text("not the cache's")
    for n, known in enumerate([KNOWN, KNOWN | {"unused"}, KNOWN, {"icon"}]):
        _result(_output(tmp_path / f"out{n}"), cache, known=known)
    assert sorted(p.name for p in cache.iterdir()) == [ENTRY, "notes.txt"]


def test_a_build_that_missed_a_stylesheet_is_not_kept(tmp_path):
    """So that the next build warns of it again."""
    site_css(_output(tmp_path / "out"), [*NAMES, "_static/styles/gone.css"], KNOWN, PREFIXES,
             tmp_path / "cache")
    assert not (tmp_path / "cache" / ENTRY).exists()


def test_the_small_book_from_a_warm_cache_is_the_same_site(make_app, tmp_path, monkeypatch):
    """As make writes it: a fresh output folder, the doctree folder kept."""
    shutil.copytree(ROOTS / "test-small-book", tmp_path / "src")
    sites = []
    for _ in range(2):
        app = make_app("html", srcdir=tmp_path / "src", freshenv=True)
        app.build()
        assert app.statuscode == 0
        sites.append(folder_files(app.outdir, BUILDINFO))
        assert (Path(app.doctreedir) / "lean-cache" / ENTRY).is_file()
        app.cleanup()
        shutil.rmtree(app.outdir)
        monkeypatch.setattr(lean_cache, "bundle_css", _not_made)  # the second: from the cache
    assert CSS_BUNDLE in sites[0]
    assert sites[1] == sites[0]
