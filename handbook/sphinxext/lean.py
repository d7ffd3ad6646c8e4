"""Sphinx extension: a website that is fast on a phone, private and accessible.

sphinx-book-theme, as it comes, makes every page fetch some 21 files, 900 KB
gzipped: a 1.5 MB icon script, the icon fonts it then does not need, two
stylesheets chained by ``@import``, eight scripts and more. This extension
keeps the theme's look and behaviour but changes what a reader's browser
fetches (``make bench`` measures both):

* **One stylesheet** (``_static/styles/handbook-site.css``): the theme's and
  the site's CSS in their usual order, cut down to the rules that can apply to
  the built pages (a rule stays when every class and id it names occurs in a
  page or in one of the site's scripts).
* **One deferred script** (``_static/scripts/handbook-site.js``): Sphinx's and
  the themes' scripts, joined in their usual order. Sphinx's page options are
  inlined in each page; its search scripts load only on the search page.
* **Icons from the theme's own icon fonts, cut down** to the glyphs the CSS
  uses, instead of ``fontawesome.js`` (which redraws every icon as an SVG, at
  the cost of 1.5 MB of script); ``static/lean.css`` sizes them as the SVGs were.
* **Nothing from another host.** A build warning (an error with ``-W``)
  names any page that would load a script or stylesheet from elsewhere, for
  example MathJax from its CDN. Each page carries a Content-Security-Policy
  that allows only the site's own files, with a hash for each of its inline
  scripts and styles (Sphinx's translations are loaded without ``eval``), and
  a ``no-referrer`` policy, so an external site never learns which page of a
  mental-health handbook a reader came from. External links get
  ``rel="noopener noreferrer"``.
* **Nothing unused in the output**: source maps and every file in ``_static``
  that no page, stylesheet or script refers to are removed.
* **The theme's controls mended** where the browser tests found them failing
  readers, in the templates (``handbook/templates/lean/``) and the page
  context, not in the written pages: no top bar (a second search box, and
  a hidden copy of the navigation button that the theme's script bound in
  place of the visible one), each chapter's toggle in the navigation named
  by its chapter, the colour mode as one toggle button, focus returned to
  the button that opened a dialog (``static/handbook.js``), and a contents
  link in place of the navigation button when scripts do not run. The
  markup of the text itself is ``markup.py``'s translator.

Everything happens in the ``html`` builders only: templates in
``handbook/templates/lean/`` (added to the template path here; other builders
get the theme's page), the page context, and a pass over the output when the
build has finished. That pass changes the written pages only where it must:
the bundles' names and their version hashes, Sphinx's page options inlined,
``rel`` on external links, and the Content-Security-Policy, which can hash
the inline scripts only once a page is written. The live preview
(``handbook_live``) gets a lighter pass.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import posixpath
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from handbook.shared import site_pages
from handbook.sphinxext.nav import contents_anchor
from handbook.sphinxext.lean_assets import (
    CSS_BUNDLE, CSS_URL, JS_BUNDLE, ascii_css, bundle_js, is_local, joined_css,
    known_names, site_scripts,
)
from handbook.sphinxext.lean_cache import site_css

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "lean"
STATIC = Path(__file__).resolve().parent.parent / "static"  # lean.css: icon sizes
HTML_BUILDERS = {"html", "dirhtml"}
# The theme's own assets, which its templates link directly (not through
# Sphinx's css_files / script_files): stylesheets first, scripts last. The
# defaults of handbook_lean_theme_css and handbook_lean_theme_js (setup).
THEME_CSS = ["_static/styles/theme.css", "_static/styles/pydata-sphinx-theme.css"]
THEME_JS = ["_static/scripts/bootstrap.js", "_static/scripts/pydata-sphinx-theme.js"]
# Sphinx's page options, which the theme's per-page inline scripts extend:
# inlined in each page, ahead of them, rather than bundled.
DOC_OPTIONS = "_static/documentation_options.js"
# Classes that the theme's scripts make from pieces at run time
# (`bs-${name}-${placement}`, `kind-${kind}`) are kept by these prefixes,
# which are read from the scripts themselves.


class State:
    """What the html-page-context handler learnt about the pages' assets.

    Every page of a build links the same assets (the theme adds only inline
    scripts per page), so the first page's lists are the bundles' contents.
    """

    def __init__(self) -> None:
        self.css: list[str] = []
        self.js: list[str] = []



def _add_templates(app: Sphinx, config: Config) -> None:
    if not config.handbook_lean:
        return  # the theme as it comes (make bench's comparison)
    app.add_css_file("lean.css")
    config.templates_path.insert(0, str(TEMPLATES))
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path.append(str(STATIC))


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Swap the page's stylesheets and scripts for the two bundles."""
    if app.builder.name not in HTML_BUILDERS or not app.config.handbook_lean:
        return
    state: State = app.builder.lean_state  # type: ignore[attr-defined]
    for asset in (*context["css_files"], *context["script_files"]):
        if asset.filename and not is_local(asset.filename):
            logger.warning(
                "loads %s from another host; the site fetches nothing from "
                "elsewhere (a page with math gets MathJax from its CDN: write "
                "the formula as text)", asset.filename,
                location=pagename, type="lean", subtype="external",
            )

    css, other_css = [], []
    for sheet in context["css_files"]:
        plain = set(sheet.attributes) <= {"priority", "rel", "type"}
        rel = sheet.attributes.get("rel", "stylesheet")
        (css if is_local(sheet.filename) and plain and rel == "stylesheet" else other_css).append(sheet)
    js, other_js = [], []
    for script in context["script_files"]:
        plain = set(script.attributes) <= {"priority"} and str(script.filename) != DOC_OPTIONS
        (js if script.filename and is_local(script.filename) and plain else other_js).append(script)

    css_names = list(app.config.handbook_lean_theme_css) + [str(s.filename) for s in css]
    js_names = [str(s.filename) for s in js] + list(app.config.handbook_lean_theme_js)
    if not state.css:
        state.css, state.js = css_names, js_names
    elif (css_names, js_names) != (state.css, state.js):
        logger.warning(
            "links other stylesheets or scripts than the other pages; the "
            "site's bundles hold only those every page shares",
            location=pagename, type="lean", subtype="assets",
        )
    context["css_files"] = other_css
    context["script_files"] = other_js
    context["lean_css"] = CSS_BUNDLE
    context["lean_js"] = JS_BUNDLE
    context["lean_contents_anchor"] = contents_anchor(app)
    # The colour mode a page starts in (its first inline script), and the
    # <html data-theme> it has without scripts: light or dark, the two the
    # stylesheet has colours for ("auto" would leave it with none).
    context["lean_default_mode"] = context.get("default_mode") or "auto"
    if context["lean_default_mode"] not in ("light", "dark"):
        context["default_mode"] = "light"
    if "generate_toctree_html" in context:
        context["generate_toctree_html"] = _named_toggles(context["generate_toctree_html"])
    if not _has_description(context.get("metatags", "")):
        # A page without a description of its own (the search page, the
        # index) gets the book's, which a search engine shows with it.
        context["lean_description"] = app.config.handbook_subtitle or app.config.project


def _named_toggles(generate):
    """The theme's navigation, each chapter's toggle named by its chapter.

    The theme's ``<summary>`` that shows a chapter's pages holds only an
    icon, so it has no name (WCAG 4.1.2). Its ``<li>`` starts with the link
    to the chapter, whatever the depth of the navigation.
    """
    def generate_named(*args, **kwargs):
        # Called as the template calls it (all keywords): the theme caches
        # its menu by the arguments' form too, and the template's first
        # call, the theme's check for empty templates, has filled that cache.
        soup = generate(*args, **kwargs)
        if kwargs.get("kind", args[0] if args else None) != "sidebar" or isinstance(soup, str):
            return soup
        for summary in soup.select("li.has-children > details > summary"):
            link = summary.parent.parent.find("a", recursive=False)
            if link is not None and not summary.get("aria-label"):
                summary["aria-label"] = "Pages in " + " ".join(link.get_text().split())
        return soup
    return generate_named


def _has_description(metatags: str) -> bool:
    return re.search(r"""name=["']description["']""", metatags) is not None


# -- After the build -------------------------------------------------------

def _build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.name not in HTML_BUILDERS \
            or not app.config.handbook_lean:
        return
    state: State = app.builder.lean_state  # type: ignore[attr-defined]
    if not state.css:
        return  # no page was written
    out = Path(app.outdir)
    pages = site_pages(out)
    page_text = {page: page.read_text(encoding="utf-8") for page in pages}

    # The live preview (make live: handbook_live) must rebuild within a
    # second or so, and sphinx-autobuild adds an inline script to each page
    # to reload it: there the CSS is only joined, the fonts and files are
    # left as they are, and pages carry no Content-Security-Policy.
    live = app.config.handbook_live

    js_text = bundle_js(out, state.js)
    _write(out / JS_BUNDLE, js_text)

    if live:
        css_text = ascii_css("".join(joined_css(out, name) for name in state.css))
    else:
        known, prefixes = known_names(page_text.values(), site_scripts(out, page_text))
        # Kept from the last build when its inputs are the same (lean_cache).
        cache = Path(app.doctreedir) / "lean-cache"
        css_text = site_css(out, state.css, known, prefixes, cache)
    _write(out / CSS_BUNDLE, css_text)

    digests = {
        CSS_BUNDLE: _digest(css_text),
        JS_BUNDLE: _digest(js_text),
    }
    options = (out / DOC_OPTIONS).read_text(encoding="utf-8").strip()
    for page, text in page_text.items():
        new = _finish_page(text, digests, options, policy=not live)
        if new != text:
            page.write_text(new, encoding="utf-8")
    if not live:
        _prune(out)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# -- The pages -------------------------------------------------------------

_SCRIPT_INLINE = re.compile(r"<script\b(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.S)
_STYLE_INLINE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)
_STYLE_ATTR = re.compile(r"""\sstyle=(["'])(.*?)\1""", re.S)
_CSP_META = re.compile(r'\s*<meta http-equiv="Content-Security-Policy"[^>]*>')
_A_TAG = re.compile(r"<a\s[^>]*>", re.S)


def _finish_page(text: str, digests: dict[str, str], options: str, policy: bool = True) -> str:
    text = re.sub(
        rf'<script src="[^"]*{re.escape(posixpath.basename(DOC_OPTIONS))}(\?v=[0-9a-f]+)?"></script>',
        lambda _: f"<script>{options}</script>", text,
    )
    for name, digest in digests.items():
        base = re.escape(posixpath.basename(name))
        text = re.sub(rf'({base})(\?v=[0-9a-f]+)?"', rf'\1?v={digest}"', text)
    text = _A_TAG.sub(_safe_external_link, text)
    text = _CSP_META.sub("", text)
    if not policy:
        return text
    csp = content_security_policy(text)  # no quotes or ampersands in it
    return re.sub(
        r"(<meta charset=[^>]*>)",
        rf'\1\n    <meta http-equiv="Content-Security-Policy" content="{csp}" />',
        text, count=1,
    )


def _safe_external_link(match: re.Match) -> str:
    """rel="noopener noreferrer" on a link to another site."""
    tag = match.group(0)
    href = re.search(r"""\shref=(["'])(.*?)\1""", tag, re.S)
    if href is None or not re.match(r"(?i)(https?:)?//", html.unescape(href.group(2))):
        return tag
    rel = re.search(r"""\srel=(["'])(.*?)\1""", tag, re.S)
    if rel is None:
        return tag[:-1].rstrip("/").rstrip() + ' rel="noopener noreferrer">'
    tokens = rel.group(2).split()
    tokens += [t for t in ("noopener", "noreferrer") if t not in tokens]
    return tag[: rel.start()] + f' rel="{" ".join(tokens)}"' + tag[rel.end():]


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def content_security_policy(page: str) -> str:
    """A policy that lets the page use only the site's own files.

    Inline scripts and styles (the theme's dark-mode starter, Sphinx's page
    options) are allowed one by one, by the hash of their text; style
    attributes likewise ('unsafe-hashes'). Images may also be data: URIs,
    which the theme's CSS uses for small drawings; they fetch nothing.
    """
    scripts = sorted({_sha256(s) for s in _SCRIPT_INLINE.findall(page)})
    styles = sorted({_sha256(s) for s in _STYLE_INLINE.findall(page)})
    attrs = sorted({_sha256(html.unescape(v)) for _, v in _STYLE_ATTR.findall(page)})
    style_src = ["'self'", *styles] + (["'unsafe-hashes'", *attrs] if attrs else [])
    return "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(["'self'", *scripts]),
        "style-src " + " ".join(style_src),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
    ])


# -- Unused files --------------------------------------------------------------

def _prune(out: Path) -> None:
    """Remove source maps, and _static files nothing refers to.

    References are followed from every page, and only into ``_static``
    (the pages themselves are all kept): as paths written out, normalised,
    not looked up on disk one by one, as a page's links grow with the book.
    """
    for path in out.rglob("*.map"):
        path.unlink()
    static = out.resolve() / "_static"
    inside = str(static) + os.sep
    used: set[str] = set()
    queue = [str(page.resolve()) for page in site_pages(out)]
    while queue:
        name = queue.pop()
        if name in used or not os.path.isfile(name):
            continue
        used.add(name)
        if not name.endswith((".html", ".css")):
            continue
        text = Path(name).read_text(encoding="utf-8", errors="replace")
        refs = re.findall(r"""\s(?:src|href)=["']([^"'#?]+)""", text)
        refs += [m.group(2) for m in CSS_URL.finditer(text)]
        refs += re.findall(r"""@import\s+["']([^"']+)""", text)
        folder = os.path.dirname(name)
        for ref in set(refs):
            if is_local(ref) and not ref.startswith(("data:", "mailto:", "tel:", "javascript:")):
                target = os.path.normpath(os.path.join(folder, html.unescape(ref)))
                if target.startswith(inside):
                    queue.append(target)
    for path in sorted(static.rglob("*"), reverse=True):
        if path.is_file() and str(path) not in used:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _init_state(app: Sphinx) -> None:
    app.builder.lean_state = State()  # type: ignore[attr-defined]
    if app.builder.name in HTML_BUILDERS and app.config.handbook_lean:
        app.add_js_file("handbook.js")  # focus and colour mode (not in the EPUB)


def setup(app: Sphinx) -> dict:
    app.add_config_value("handbook_lean", True, "html", types=frozenset({bool}),
                         description="the lean website; False: the theme as it comes")
    app.add_config_value("handbook_live", False, "html", types=frozenset({bool}),
                         description="a live preview's build: lighter, no CSP (make live)")
    app.add_config_value("handbook_lean_theme_css", THEME_CSS, "html", types=frozenset({list}),
                         description="the theme's stylesheets its templates link directly")
    app.add_config_value("handbook_lean_theme_js", THEME_JS, "html", types=frozenset({list}),
                         description="the theme's scripts its templates link directly")
    app.setup_extension("handbook.sphinxext.nav")  # the menu, drawn once a build
    app.connect("config-inited", _add_templates)  # and lean.css
    app.connect("builder-inited", _init_state)
    # After the themes' own handlers (500), which add their assets.
    app.connect("html-page-context", _page_context, priority=900)
    # After the theme's own (500), which rewrites pygments.css at that point.
    app.connect("build-finished", _build_finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
