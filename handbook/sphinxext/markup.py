"""Sphinx extension: the HTML that the website and the EPUB share, written
so that assistive technology reads it right.

Docutils and Sphinx write a few things that accessibility checkers (axe in
the browser tests, Ace by DAISY on the EPUB) report. The translator below
writes them correctly in the first place, for the ``html``, ``dirhtml`` and
``epub`` builders alike (the themes' translators build on it):

* **Citations** are list items of their ``role="list"``: docutils marks each
  with ``role="doc-biblioentry"``, which ARIA 1.2 (DPUB-ARIA 1.1) deprecates
  and which a list may not hold.
* **A table's empty corner cell** is a data cell, not a header that names
  nothing (a two-way table such as the comparison on "What is peer support?").
* **Code blocks can be reached by keyboard**: a ``<pre>`` that scrolls
  sideways is a stop in the Tab order, so a keyboard user can scroll it
  (WCAG 2.1.1). The website's script did this only when scripts run.
* **A toctree's caption** has its heading level (``aria-level``), which
  ``role="heading"`` requires: one below the section it stands in.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator

BUILDERS = ("html", "dirhtml", "epub")


class AccessibleHTML5Translator(HTML5Translator):
    """Sphinx's HTML5 translator with the repairs in the module docstring."""

    def starttag(self, node, tagname, suffix="\n", empty=False, **attributes):
        if attributes.get("ROLE") == "heading" and not any(
            key.lower() == "aria-level" for key in attributes
        ):
            attributes["ARIA-LEVEL"] = str(self.section_level + 1)
        return super().starttag(node, tagname, suffix, empty, **attributes)

    def visit_citation(self, node: nodes.citation) -> None:
        if not isinstance(node.previous_sibling(), nodes.citation):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))

    def visit_entry(self, node: nodes.entry) -> None:
        if isinstance(node.parent.parent, nodes.thead) and not node.astext().strip():
            attributes = {"CLASS": "head"}
            if "morecols" in node:
                attributes["colspan"] = node["morecols"] + 1
            if "morerows" in node:
                attributes["rowspan"] = node["morerows"] + 1
            node.parent.column += 1 + node.get("morecols", 0)
            self.body.append(self.starttag(node, "td", "", **attributes))
            self.context.append("</td>\n")
            return
        super().visit_entry(node)

    def visit_literal_block(self, node: nodes.literal_block) -> None:
        start = len(self.body)
        try:
            super().visit_literal_block(node)
        finally:
            # Sphinx writes the highlighted block (Pygments' <pre>) in one
            # piece and then skips the node, so the new pieces hold it.
            for index in range(start, len(self.body)):
                if "<pre>" in self.body[index]:
                    self.body[index] = self.body[index].replace("<pre>", '<pre tabindex="0">', 1)
                    break


def setup(app: Sphinx) -> dict:
    for name in BUILDERS:
        app.set_translator(name, AccessibleHTML5Translator, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
