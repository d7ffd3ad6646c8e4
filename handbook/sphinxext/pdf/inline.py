"""The inline nodes of the book as Typst: text, code, links, footnotes, citations, raw Typst.

`InlineVisitors` is a part of `TypstTranslator` (see `translator`): the
visit_ and depart_ methods of the nodes inside a paragraph whose markup
depends on the node. Emphasis and the like, fixed markup around their
content, are in the translator's tables.
"""

from __future__ import annotations

import re

from docutils import nodes

from .markup import escape, label, string_literal

# Schemes whose address means nothing on paper: the link is kept, not printed.
UNPRINTED_SCHEMES = ("tel:", "sms:", "mailto:")


class InlineVisitors:
    """Inline nodes (a part of `TypstTranslator`, which gives ``add`` and ``refuse``)."""

    def visit_Text(self, node):
        self.add(escape(node.astext()))

    def visit_literal(self, node):
        self.add("#raw(" + string_literal(node.astext()) + ")")
        raise nodes.SkipNode

    def visit_reference(self, node):
        uri = node.get("refuri", "")
        if node.children and all(isinstance(child, nodes.image) for child in node.children):
            self.context.append(("none", ""))  # the website's "open the picture": not in print
        elif node.get("refid") or uri.startswith("#"):
            target = node.get("refid") or uri[1:]
            self.add(f"#link({label(target)})[")
            self.context.append(("internal", target))
        elif uri:
            self.add(f"#link({string_literal(uri)})[")
            self.context.append(("external", uri))
        else:
            self.context.append(("none", ""))

    def depart_reference(self, node):
        kind, target = self.context.pop()
        if kind == "internal":
            page = f"#pageref({label(target)})" if target in self.sections else ""
            self.add(page + "]")
        elif kind == "external":
            self.add("]")
            if not target.startswith(UNPRINTED_SCHEMES) and \
                    _bare(node.astext()) != _bare(target):
                self.add(f" (#link({string_literal(target)})[#address({string_literal(target)})])")

    def visit_footnote_reference(self, node):
        """The footnote's text, where it is referenced (the footnote itself is skipped)."""
        footnote = self.footnotes.get(node.get("refid", ""))
        if footnote is None:
            self.refuse(node, f"the footnote {node.astext()!r} has no text to print")
        self.add("#footnote[")
        for child in footnote.children:
            if not isinstance(child, nodes.label):
                child.walkabout(self)
        self.add("]")
        raise nodes.SkipNode

    def visit_citation(self, node):
        # sphinxcontrib-bibtex's entries: the label is the reference's text.
        self.block("#citation[")

    def depart_citation(self, node):
        self.add("]" + self.labels(node) + "\n\n")

    def visit_raw(self, node):
        if "typst" in node.get("format", "").split():
            self.add(node.astext())
            raise nodes.SkipNode
        self.refuse(node, f"raw {node.get('format', '')} cannot be printed in the PDF: "
                    "write it as Markdown (a link as [words](page.md#heading)).")

    def visit_problematic(self, node):
        self.unknown_visit(node)


def _bare(address: str) -> str:
    """An address as a reader sees it: no scheme, "www." or closing slash;
    a DOI written "doi:10.x/y" is its https://doi.org/10.x/y."""
    address = address.strip().lower()
    address = re.sub(r"^doi:\s*", "doi.org/", address)
    address = re.sub(r"^[a-z]+://", "", address)
    return address.removeprefix("www.").rstrip("/")
