"""Publishing: what the website needs to be found and shared, and an e-book.

The packages in conf.py's "Publishing" group do most of it: Sphinx writes
each page's canonical link (from ``html_baseurl``), sphinx-sitemap writes
``sitemap.xml``, sphinx-notfound-page the 404 page, sphinxext-opengraph the
``og:`` tags. This extension adds what they leave out:

- **Descriptions.** Each page's one-line ``description:`` (its front matter)
  becomes its ``<meta name="description">`` and ``og:description``, which
  search results and link previews show; without it they would show the
  page's first words. Pages without one keep the packages' default.
- **robots.txt**, which lets crawlers in and points them to the sitemap.
- **The e-book's theme** ``handbook-epub`` (``handbook/brand/epub/``):
  Sphinx's epub theme with the cover image. The EPUB is drawn with it and
  conf.py's templates only, not the template folders other extensions add
  for the website.
- **Reproducible outputs.** ``SOURCE_DATE_EPOCH`` is set to the edition's
  date when it is not set (the last commit's, see handbook/shared.py), so
  the EPUB's metadata and every tool that honours it agree with the edition.
  Sphinx zips the EPUB with each file's modification time; the EPUB is
  rewritten with the edition's date, so two builds give the same bytes.
- **Text links in the EPUB.** An ``sms:`` link (text this number) is plain
  text in the e-book: EPUB registers ``tel:`` but not ``sms:``, so
  epubcheck warns about it, and an e-reader cannot send a text anyway. The
  words keep the number ("text SHOUT to 85258"), so nothing is lost.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from handbook.shared import build_date, normalise_zip

EPUB_THEME = Path(__file__).resolve().parent.parent / "brand" / "epub"
HTML_BUILDERS = {"html", "dirhtml"}


def _edition_date_for_tools(app: Sphinx, config: Config) -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(build_date(Path(app.confdir)).timestamp())))


def _describe_page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The front matter's description as the page's meta and og: description.

    Runs before sphinxext-opengraph (priority 500), which then writes no
    second ``<meta name="description">`` and takes ``og:description`` from
    the page's metadata.
    """
    if app.builder.name not in HTML_BUILDERS:
        return
    description = " ".join(str((context.get("meta") or {}).get("description", "")).split())
    if not description:
        return
    context["metatags"] += f'<meta name="description" content="{html.escape(description)}" />\n'
    context["meta"] = {**context["meta"], "og:description": description}


def _notfound_toctree_never_none(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give the theme an empty navigation, not None, on a 404 page without one.

    sphinx-notfound-page (priority 400) swaps in a ``toctree()`` that returns
    None when there is no table of contents (a one-page project), and the
    pydata theme (500) parses what it returns, and fails on None.
    """
    if pagename != app.config.notfound_pagename or "toctree" not in context:
        return
    toctree = context["toctree"]
    context["toctree"] = lambda *args, **kwargs: toctree(*args, **kwargs) or ""


def _epub_with_its_own_templates(app: Sphinx, conf_templates: list[str]) -> None:
    """Draw the EPUB with its theme and conf.py's templates only.

    Extensions add template folders for the website's builders (handbook/sphinxext/lean.py
    puts its layout first, and that layout needs what only those builders
    give it); the EPUB's pages are drawn with Sphinx's epub theme instead.
    """
    if app.builder.name != "epub":
        return
    app.config.templates_path = list(conf_templates)
    app.builder.templates.init(app.builder, app.builder.theme)


def _finish(app: Sphinx, exception) -> None:
    if exception is not None:
        return
    if app.builder.name in HTML_BUILDERS and app.config.html_baseurl:
        sitemap = app.config.html_baseurl.rstrip("/") + "/" + app.config.sitemap_filename
        Path(app.outdir, "robots.txt").write_text(
            f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n", encoding="utf-8"
        )
    elif app.builder.name == "epub":
        epub = Path(app.outdir, app.config.epub_basename + ".epub")
        if epub.is_file():
            normalise_zip(epub, build_date(Path(app.confdir)))


def _sms_as_text_in_epub(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the EPUB, an ``sms:`` link becomes its words, which name the number."""
    if app.builder.name != "epub":
        return
    for link in list(doctree.findall(nodes.reference)):
        if link.get("refuri", "").startswith("sms:"):
            link.replace_self(nodes.inline("", "", *link.children))


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_sitemap")  # for sitemap_filename
    app.setup_extension("notfound.extension")  # for notfound_pagename
    # sphinxext-opengraph prints a notice on import that matplotlib, which it
    # would draw social cards with, is missing; ours is an image (ogp_image).
    with contextlib.redirect_stdout(io.StringIO()):
        app.setup_extension("sphinxext.opengraph")
    app.add_html_theme("handbook-epub", str(EPUB_THEME))
    conf_templates: list[str] = []  # templates_path as conf.py sets it
    app.connect("config-inited", lambda app, config: conf_templates.extend(config.templates_path),
                priority=0)
    app.connect("builder-inited", lambda app: _epub_with_its_own_templates(app, conf_templates),
                priority=900)
    app.connect("config-inited", _edition_date_for_tools)
    app.connect("html-page-context", _describe_page, priority=400)
    app.connect("html-page-context", _notfound_toctree_never_none, priority=450)
    app.connect("doctree-resolved", _sms_as_text_in_epub)
    app.connect("build-finished", _finish)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
