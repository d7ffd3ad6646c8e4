"""The lean website's assets: one script, one stylesheet, icon fonts cut down.

``lean.py`` (the extension) calls these once the pages are written:

- ``bundle_js``: Sphinx's and the themes' scripts joined in their usual order,
  source maps dropped, Sphinx's translations loaded without ``eval()``.
- ``bundle_css``: the theme's and the site's CSS in their usual order, cut
  down to the rules that can apply (every class and id a rule names occurs
  in a page, or in one of the site's scripts: ``known_names``), and the
  theme's dark colours for a page that no script coloured.
- ``subset_icon_fonts``: the theme's icon fonts cut down to the glyphs the
  stylesheet uses; ``ascii_css`` keeps the stylesheet's bytes ASCII.
- ``joined_css``: for the live preview, a stylesheet with its @imports inlined.

``bundle_css`` and ``subset_icon_fonts`` can note in a ``Reads`` every file
they read, with a digest of its content: ``lean_cache.py`` keys its cache so.
"""

from __future__ import annotations

import hashlib
import json
import logging as stdlib_logging
import posixpath
import re
from pathlib import Path

import tinycss2
from sphinx.util import logging

logger = logging.getLogger(__name__)

CSS_BUNDLE = "_static/styles/handbook-site.css"
JS_BUNDLE = "_static/scripts/handbook-site.js"

_JS_PREFIX = re.compile(r"""([A-Za-z][\w-]*-)(?=\$\{|["'`]\s*\+)""")
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_CLASS_ATTR = re.compile(r"""\sclass=(["'])(.*?)\1""", re.S)
_ID_ATTR = re.compile(r"""\sid=(["'])(.*?)\1""", re.S)
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{4,6})")
# The at-rules that hold other rules, which the walks below go into.
_GROUPS = ("media", "supports", "layer", "container", "scope")


def is_local(filename) -> bool:
    name = str(filename)
    return bool(name) and "://" not in name and not name.startswith("//")


def digest(data: bytes | None) -> str | None:
    """A file's content as a short text (None: the file is missing)."""
    return None if data is None else hashlib.sha256(data).hexdigest()


class Reads:
    """The files a stylesheet bundle was made from, by their names in the
    output: each stylesheet as read (its text) and each font before it was
    subset (its bytes), with ``digest`` of that content."""

    def __init__(self) -> None:
        self.sheets: dict[str, str | None] = {}
        self.fonts: dict[str, str | None] = {}


def bundle_js(out: Path, names: list[str]) -> str:
    parts = []
    for name in names:
        path = out / name
        if not path.is_file():
            logger.warning("lean: script %s is missing from the output", name,
                           type="lean", subtype="assets")
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^//[#@] sourceMappingURL=.*$", "", text, flags=re.M)
        if name == "_static/translations.js":
            text = _translations_without_eval(text)
        parts.append(f"/* {name} */\n{text.strip()}\n;")
    return "\n".join(parts) + "\n"


def _translations_without_eval(text: str) -> str:
    """Sphinx's message catalog, loaded without eval().

    ``Documentation.addTranslations`` turns the catalog's plural rule into a
    function with ``new Function``, which the Content-Security-Policy
    forbids (it would need 'unsafe-eval'). The rule is written into the
    script here instead, as code, at build time.
    """
    match = re.fullmatch(r"\s*Documentation\.addTranslations\((\{.*\})\);?\s*", text, re.S)
    catalog = json.loads(match.group(1)) if match else {}
    rule = str(catalog.get("plural_expr", ""))
    if not match or not re.fullmatch(r"[n0-9\s()!=<>&|%?:+*/-]+", rule):
        logger.warning("lean: cannot read translations.js; it needs eval(), which the "
                       "Content-Security-Policy blocks", type="lean", subtype="assets")
        return text
    return (
        f"Object.assign(Documentation.TRANSLATIONS, {json.dumps(catalog.get('messages', {}))});\n"
        f"Documentation.PLURAL_EXPR = (n) => Number({rule});\n"
        f"Documentation.LOCALE = {json.dumps(catalog.get('locale'))};"
    )


def site_scripts(out: Path, page_text: dict[Path, str]) -> list[str]:
    """The code of every local script a page loads (the bundle included),
    not the search index, which holds every word of the book."""
    static = (out / "_static").resolve()
    paths = {out / JS_BUNDLE}
    for page, text in page_text.items():
        for src in re.findall(r"""<script[^>]*\ssrc=["']([^"'?#]+)""", text):
            if is_local(src):
                paths.add((page.parent / src).resolve())
    return [p.read_text(encoding="utf-8") for p in sorted(paths)
            if p.is_file() and p.resolve().is_relative_to(static)]


def known_names(pages, scripts) -> tuple[set[str], tuple[str, ...]]:
    """Class and id names a page has or a script may give an element."""
    known: set[str] = set()
    for text in pages:
        for _, value in _CLASS_ATTR.findall(text):
            known.update(value.split())
        for _, value in _ID_ATTR.findall(text):
            known.add(value.strip())
        # Inline scripts and templates inside a page (e.g. the search page).
        known.update(_WORD.findall(" ".join(re.findall(r"<script[^>]*>(.*?)</script>", text, re.S))))
    prefixes: set[str] = set()
    for text in scripts:
        known.update(_WORD.findall(text))
        prefixes.update(_JS_PREFIX.findall(text))
    return known, tuple(sorted(prefixes))


# -- The stylesheet ----------------------------------------------------------

def bundle_css(out: Path, names: list[str], known: set[str], prefixes,
               reads: Reads | None = None) -> str:
    bundle_dir = posixpath.dirname(CSS_BUNDLE)
    rules = []
    for name in names:
        rules.extend(_read_css(out, name, bundle_dir, seen=set(), reads=reads))
    css = _purge(rules, known, prefixes)
    dark = _dark_without_scripts(rules)
    if dark:
        dark = _purge(tinycss2.parse_stylesheet(dark, skip_comments=True, skip_whitespace=True),
                      known, prefixes)
        css += "@media (prefers-color-scheme:dark){" + dark + "}"
    return css + "\n"


# The theme's dark colours are for <html data-theme="dark">, which only its
# script sets; a page opened without scripts keeps the "light" it is written
# with. A copy of each dark rule, for <html> with no data-mode (the script
# sets one on every page it runs on), when the device asks for dark, gives
# such a reader the theme's dark mode too. The copies come last, so that
# they win over the light rules, which still apply to such a page.
_DARK_HTML = re.compile(r"""^html\[data-theme=(?:dark|"dark")\]""")


def _dark_without_scripts(rules) -> str:
    """The dark rules, for a page that scripts did not colour (CSS text)."""
    copies = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [tinycss2.serialize(s).strip() for s in _split_selectors(rule.prelude)]
            dark = [_DARK_HTML.sub("html:not([data-mode])", s) for s in selectors if _DARK_HTML.match(s)]
            if dark:
                copies.append(",".join(dark) + "{" + tinycss2.serialize(rule.content).strip() + "}")
        elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in _GROUPS:
            inner = _dark_without_scripts(
                tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
            if inner:
                copies.append(_at_head(rule) + "{" + inner + "}")
    return "".join(copies)


def _rebaser(here: str, bundle_dir: str):
    """url(...) in a stylesheet in folder ``here``, made relative to the bundle's."""
    def rebase(match: re.Match) -> str:
        url = match.group(2).strip()
        if url.startswith(("data:", "#", "/")) or not is_local(url):
            return match.group(0)
        target = posixpath.normpath(posixpath.join(here, url))
        return f'url("{posixpath.relpath(target, bundle_dir)}")'
    return rebase


def joined_css(out: Path, name: str) -> str:
    """A stylesheet as it is, its @imports inlined (for the live preview)."""
    name = posixpath.normpath(name)
    path = out / name
    if not path.is_file():
        return ""
    here = posixpath.dirname(name)
    text = CSS_URL.sub(_rebaser(here, posixpath.dirname(CSS_BUNDLE)), path.read_text(encoding="utf-8"))
    return re.sub(
        r"""@import\s+["']([^"']+)["']\s*;""",
        lambda m: joined_css(out, posixpath.join(here, m.group(1))) if is_local(m.group(1)) else m.group(0),
        text,
    ) + "\n"


def _read_css(out: Path, name: str, bundle_dir: str, seen: set[str],
              reads: Reads | None) -> list:
    """A stylesheet's rules, its @imports inlined, its URLs made relative
    to the bundle."""
    name = posixpath.normpath(name)
    if name in seen:
        return []
    seen.add(name)
    path = out / name
    if not path.is_file():
        if reads is not None:
            reads.sheets[name] = None
        logger.warning("lean: stylesheet %s is missing from the output", name,
                       type="lean", subtype="assets")
        return []
    here = posixpath.dirname(name)
    text = path.read_text(encoding="utf-8")
    if reads is not None:
        reads.sheets[name] = digest(text.encode())
    text = CSS_URL.sub(_rebaser(here, bundle_dir), text)
    rules = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            url = next((t for t in rule.prelude if t.type in ("url", "string")), None)
            if url is not None and is_local(url.value):
                # A url() was rebased to the bundle's folder above; a string was not.
                target = posixpath.join(bundle_dir if url.type == "url" else here, url.value)
                rules.extend(_read_css(out, target, bundle_dir, seen, reads))
                continue
        if rule.type != "error":
            rules.append(rule)
    return rules


def _purge(rules, known: set[str], prefixes) -> str:
    """The rules as CSS text, without those no page can use."""
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in _split_selectors(rule.prelude) if _selector_used(s, known, prefixes)]
            if selectors:
                prelude = ",".join(tinycss2.serialize(s).strip() for s in selectors)
                kept.append(prelude + "{" + tinycss2.serialize(rule.content).strip() + "}")
        elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in _GROUPS:
            inner = _purge(
                tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True),
                known, prefixes,
            )
            if inner:
                kept.append(_at_head(rule) + "{" + inner + "}")
        else:
            kept.append(_serialize(rule))
    return "".join(kept)


def _split_selectors(prelude) -> list[list]:
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        else:
            current.append(token)
    selectors.append(current)
    return selectors


def _selector_used(selector, known: set[str], prefixes) -> bool:
    """Whether every class and id the selector requires may exist.

    Names inside functional pseudo-classes (:not(), :is(), :has()) and
    attribute selectors are not required, which keeps such rules.
    """
    previous = None
    for token in selector:
        name = None
        if token.type == "ident" and previous is not None and previous.type == "literal" and previous.value == ".":
            name = token.value
        elif token.type == "hash" and token.is_identifier:
            name = token.value
        if name is not None and name not in known and not name.startswith(prefixes):
            return False
        previous = token
    return True


def _at_head(rule) -> str:
    return "@" + rule.at_keyword + tinycss2.serialize(rule.prelude).rstrip()


def _serialize(rule) -> str:
    if rule.type == "qualified-rule":
        return tinycss2.serialize(rule.prelude).strip() + "{" + tinycss2.serialize(rule.content).strip() + "}"
    if rule.type == "at-rule":
        if rule.content is None:
            return _at_head(rule) + ";"
        return _at_head(rule) + "{" + tinycss2.serialize(rule.content).strip() + "}"
    return tinycss2.serialize([rule])


# -- Icon fonts --------------------------------------------------------------

# Font Awesome's regular and brands faces serve only elements with these
# classes (its solid face is the default, and the theme's CSS icons use it).
_ICON_FACE_CLASSES = {
    "fa-regular-400": {"fa-regular", "far"},
    "fa-brands-400": {"fa-brands", "fab"},
}


def subset_icon_fonts(out: Path, css_text: str, known: set[str],
                      reads: Reads | None = None) -> str:
    """Cut each @font-face font down to the code points the CSS uses.

    The icon fonts hold some 2,000 glyphs; the pages show a dozen or two.
    A font left with none of them, or a Font Awesome face no page's classes
    ask for, loses its @font-face (and, by the pruning afterwards, its file).
    """
    codepoints = {int(cp, 16) for cp in _CSS_ESCAPE.findall(css_text)}
    codepoints |= {ord(c) for c in css_text}
    codepoints = {cp for cp in codepoints if _private_use(cp)}  # the icons
    bundle_dir = posixpath.dirname(CSS_BUNDLE)
    rules = tinycss2.parse_stylesheet(css_text, skip_comments=True, skip_whitespace=True)
    kept = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face":
            urls = [m.group(2) for m in CSS_URL.finditer(tinycss2.serialize(rule.content))]
            names = [posixpath.normpath(posixpath.join(bundle_dir, u)) for u in urls if is_local(u)]
            fonts = [out / name for name in names]
            for name, font in zip(names, fonts, strict=True):
                if reads is not None and name not in reads.fonts:  # before it is subset
                    reads.fonts[name] = digest(font.read_bytes() if font.is_file() else None)
            ours = fonts and all(f.suffix == ".woff2" and f.is_file() for f in fonts)
            if ours and any(not _ICON_FACE_CLASSES.get(f.stem, known) & known for f in fonts):
                continue
            if ours and not all(_subset_font(f, codepoints) for f in fonts):
                continue
        kept.append(rule)
    return "".join(_serialize(rule) for rule in kept) + "\n"


def _private_use(cp: int) -> bool:
    return 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000


def ascii_css(css: str) -> str:
    """CSS escapes for non-ASCII characters, whatever charset it is served with."""
    return re.sub(r"[^\x00-\x7f]", lambda m: f"\\{ord(m.group()):x} ", css)


def _subset_font(path: Path, codepoints: set[int]) -> bool:
    """Subset a WOFF2 font in place; False when it has none of the glyphs."""
    from fontTools import subset as ft_subset  # here: the live preview never needs it
    from fontTools.ttLib import TTFont

    stdlib_logging.getLogger("fontTools").setLevel(stdlib_logging.WARNING)
    font = TTFont(path, recalcTimestamp=False)  # the same bytes every build
    wanted = codepoints & set(font.getBestCmap())
    if not wanted:
        return False
    options = ft_subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the licence notice (0)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(path)
    return True
