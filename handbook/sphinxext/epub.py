"""Sphinx extension: an EPUB that conforms to EPUB Accessibility 1.1.

Sphinx's ``epub`` builder writes a valid EPUB 3 (epubcheck passes) that Ace
by DAISY, the reference accessibility checker for EPUB, fails. This
extension replaces the builder by a subclass that writes, in addition:

* **The language on every page**: ``lang`` and ``xml:lang`` on each XHTML
  file's ``<html>``, so a reading system speaks it in British English.
* **Accessibility metadata** in ``content.opf`` (EPUB Accessibility 1.1,
  section 5): how the book can be read (``schema:accessMode``,
  ``accessModeSufficient``), what helps (``accessibilityFeature``), that it
  has no hazards, a summary for a person deciding whether the book suits
  them, the standard it meets (``dcterms:conformsTo``) and who checked that
  (``a11y:certifiedBy``, conf.py's ``epub_publisher``). Each is a setting,
  as the book's publisher declares it (see ``setup()``; the defaults are the
  handbook's): ``handbook_epub_accessibility_summary``,
  ``handbook_epub_access_modes``, ``handbook_epub_access_mode_sufficient``,
  ``handbook_epub_accessibility_features``, ``handbook_epub_accessibility_hazards``
  and ``handbook_epub_conforms_to``.
* **A navigation document with landmarks**: the table of contents carries
  ``role="doc-toc"`` beside its ``epub:type``, and a ``landmarks`` nav leads
  to the cover and the start of the text (not to the contents, which
  reading systems offer themselves: the navigation document is no page of
  the book's reading order, and epubcheck refuses a link to it).

The pages' own markup is the translator's in ``markup.py``. ``make test``
runs Ace on the built EPUB (tests/test_epub_accessibility.py), so these
claims are checked on every change.

The metadata is added to the ``content.opf`` that Sphinx has just written:
its template has no place for more, so the lines go in before
``</metadata>``. The navigation document is drawn from the template
``handbook/brand/epub/package/nav.xhtml.jinja`` instead of Sphinx's.
"""

from __future__ import annotations

import html
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.epub3 import HTML_TAG, Epub3Builder
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset_file

from handbook.sphinxext.messages import conf_location

logger = logging.getLogger(__name__)

NAV_TEMPLATE = Path(__file__).resolve().parent.parent / "brand" / "epub" / "package" / "nav.xhtml.jinja"


class AccessibleEpub3Builder(Epub3Builder):
    """Sphinx's EPUB 3 builder, with the additions in the module docstring."""

    def prepare_writing(self, docnames) -> None:
        super().prepare_writing(docnames)
        lang = html.escape(self.config.epub_language, quote=True)
        self.globalcontext["html_tag"] = HTML_TAG.removesuffix(">") + f' lang="{lang}" xml:lang="{lang}">'

    def build_content(self) -> None:
        super().build_content()
        opf = Path(self.outdir, "content.opf")
        text = opf.read_text(encoding="utf-8")
        if text.count("</metadata>") != 1:
            raise ExtensionError("epub: cannot find </metadata> in Sphinx's content.opf")
        opf.write_text(text.replace("</metadata>", self._accessibility_metadata() + "</metadata>"),
                       encoding="utf-8")

    def _accessibility_metadata(self) -> str:
        config = self.config
        summary = " ".join(config.handbook_epub_accessibility_summary.split())
        if not summary:
            logger.warning(
                "handbook_epub_accessibility_summary is empty; EPUB Accessibility 1.1 asks for "
                "a summary for readers: set it in conf.py", type="epub", subtype="a11y",
                location=conf_location(self.confdir, "handbook_epub_accessibility_summary"),
            )
        properties = (
            [("schema:accessMode", mode) for mode in config.handbook_epub_access_modes]
            + [("schema:accessModeSufficient", ",".join(config.handbook_epub_access_mode_sufficient))]
            + [("schema:accessibilityFeature", f) for f in config.handbook_epub_accessibility_features]
            + [("schema:accessibilityHazard", h) for h in config.handbook_epub_accessibility_hazards]
            + [("schema:accessibilitySummary", summary)] * bool(summary)
            + [("dcterms:conformsTo", config.handbook_epub_conforms_to)]
            + [("a11y:certifiedBy", config.epub_publisher)] * bool(config.epub_publisher)
        )
        return "".join(
            f'  <meta property="{name}">{html.escape(value, quote=False)}</meta>\n  '
            for name, value in properties
        )

    def navigation_doc_metadata(self, navlist) -> dict:
        context = super().navigation_doc_metadata(navlist)
        landmarks = []
        if self.config.epub_cover:
            landmarks.append(("cover", "epub-cover.xhtml", self.guide_titles["cover"]))
        if self.refnodes:
            landmarks.append(("bodymatter", self.refnodes[0]["refuri"], self.refnodes[0]["text"]))
        context["landmarks"] = [
            {"type": kind, "href": html.escape(href), "text": html.escape(text)}
            for kind, href, text in landmarks
        ]
        self._nav_context = context
        return context

    def build_navigation_doc(self) -> None:
        super().build_navigation_doc()
        copy_asset_file(NAV_TEMPLATE, self.outdir, context=self._nav_context, force=True)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.builders.epub3")
    app.add_builder(AccessibleEpub3Builder, override=True)
    text, words = frozenset({str}), frozenset({list, tuple})
    app.add_config_value(
        "handbook_epub_accessibility_summary", "", "epub", types=text,
        description="The EPUB's accessibility summary: how the book can be read, for a person",
    )
    # How the book can be read: as text, and the cover as a picture; the text
    # alone is enough (the cover's picture has its title as text alternative).
    app.add_config_value("handbook_epub_access_modes", ("textual", "visual"), "epub",
                         types=words, description="schema:accessMode, each")
    app.add_config_value("handbook_epub_access_mode_sufficient", ("textual",), "epub",
                         types=words, description="schema:accessModeSufficient, one set")
    # What helps: headings and a table of contents to move by, a reading order
    # that is the logical one, text alternatives, text that a reader may restyle
    # (no fixed layout), and ARIA roles that name the parts of the book.
    app.add_config_value(
        "handbook_epub_accessibility_features",
        ("structuralNavigation", "tableOfContents", "readingOrder", "alternativeText",
         "displayTransformability", "ARIA"),
        "epub", types=words, description="schema:accessibilityFeature, each")
    # Nothing flashes, moves or makes a sound.
    app.add_config_value("handbook_epub_accessibility_hazards", ("none",), "epub",
                         types=words, description="schema:accessibilityHazard, each")
    # The standard the book claims, as EPUB Accessibility 1.1 (section 5.2) spells it.
    app.add_config_value("handbook_epub_conforms_to",
                         "EPUB Accessibility 1.1 - WCAG 2.2 Level AA", "epub", types=text,
                         description="dcterms:conformsTo: the standard the EPUB meets")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
