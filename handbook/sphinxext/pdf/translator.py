"""The book's doctree written as Typst markup, as Sphinx's text and LaTeX writers do.

`TypstTranslator` is a docutils ``NodeVisitor``: each node the handbook uses
has a ``visit_``/``depart_`` pair that writes Typst. Text is escaped
character by character, so nothing in a page can become Typst markup. A node
with no pair is an error at its source ``file:line`` naming the node, and
the builder then writes no PDF: nothing is dropped from the book unseen.

The functions the markup calls (``note``, ``pageref``...) are defined in
``book.typ``, which also sets the page, the type and the cover.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxTranslator
from sphinx.util.logging import get_node_location

from .assemble import is_review
from .markup import balanced_widths, escape, label, length, string_literal

# Schemes whose address means nothing on paper: the link is kept, not printed.
UNPRINTED_SCHEMES = ("tel:", "sms:", "mailto:")
logger = logging.getLogger(__name__)
ADMONITIONS = {
    "attention": "Attention", "caution": "Caution", "danger": "Danger", "error": "Error",
    "hint": "Hint", "important": "Important", "note": "Note", "tip": "Tip",
    "warning": "Warning", "seealso": "See also",
}
# Nodes whose content is printed as it is, with nothing around it.
PASS_THROUGH = ("start_of_file", "compound", "container", "glossary", "tbody", "row", "legend")
# Nodes that carry nothing for print: the website's metadata, indexes, comments.
SKIPPED = (
    nodes.comment, addnodes.index, nodes.meta, addnodes.toctree, nodes.substitution_definition,
    addnodes.tabular_col_spec, addnodes.highlightlang, nodes.system_message,
)


def _wrap(opening: str, closing: str = "]"):
    """A visit and depart pair that put the node's content in ``opening...closing``."""
    def visit(self, node):
        self.add(opening)

    def depart(self, node):
        self.add(closing)
    return visit, depart


class TypstTranslator(SphinxTranslator):
    """Write one doctree (the whole book) as Typst markup into ``self.body``."""

    def __init__(self, document: nodes.document, builder, images: dict[str, str],
                 sections: set[str]) -> None:
        super().__init__(document, builder)
        self.body: list[str] = []
        self.context: list = []
        self.images = images  # image uri -> path beside the Typst file
        self.sections = sections  # ids of headings: a link to one gives the page
        self.level = 0
        self.sources: list[tuple[int, str]] = []  # (offset in the markup, "file:line")
        self.offset = 0
        self.figure_image: str | None = None
        self.problems = 0  # nodes that could not be printed (logged, with their line)
        # Each footnote by its id (ids were renamed when the pages were merged).
        self.footnotes = {name: footnote for footnote in document.findall(nodes.footnote)
                          for name in footnote["ids"]}

    # -- output -------------------------------------------------------------

    def add(self, text: str) -> None:
        self.body.append(text)
        self.offset += len(text)

    def block(self, text: str = "") -> None:
        """Start a new block (a blank line), then ``text``."""
        self.add("\n\n" + text)

    def astext(self) -> str:
        return "".join(self.body)

    def location_of_line(self, markup: str, line: int) -> str | None:
        """The source ``file:line`` that line ``line`` (from 1) of the markup came from."""
        offset = sum(len(text) + 1 for text in markup.split("\n")[: line - 1])
        at = bisect_right([start for start, _ in self.sources], offset) - 1
        return self.sources[at][1] if at >= 0 else None

    def dispatch_visit(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Element) and node.line:
            self.sources.append((self.offset, get_node_location(node) or ""))
        if _keeps_with_review(node):
            self.block("#keep-with-next[")
        super().dispatch_visit(node)

    def dispatch_departure(self, node: nodes.Node) -> None:
        super().dispatch_departure(node)
        if _keeps_with_review(node):
            self.add("]\n\n")

    def unknown_visit(self, node: nodes.Node) -> None:
        self.refuse(node, f"the PDF builder does not know the {node.__class__.__name__!r} node, "
                    "so it cannot print it. Write the passage with the Markdown the handbook "
                    "already uses, or teach handbook/sphinxext/pdf/translator.py the node.")

    def refuse(self, node: nodes.Node, message: str) -> None:
        """Log what cannot be printed, at its source line; the builder then
        writes no PDF rather than one with the passage missing."""
        where = get_node_location(node) or _nearest_location(node)
        logger.error(message, location=where, type="pdf", subtype="unprintable")
        self.problems += 1
        raise nodes.SkipNode

    def labels(self, node: nodes.Element) -> str:
        """A label for the node's first id (links were aimed at first ids)."""
        return f" {label(node['ids'][0])}" if node.get("ids") else ""

    # -- structure ------------------------------------------------------------

    def visit_document(self, node):
        self.add('#import "book.typ": *\n')


    def visit_section(self, node):
        self.level += 1

    def depart_section(self, node):
        self.level -= 1

    def visit_title(self, node):
        parent = node.parent
        if isinstance(parent, nodes.section):
            self.block(f"#heading(level: {self.level})[")
            self.context.append("]" + self.labels(parent) + "\n\n")
        elif isinstance(parent, nodes.table):
            self.block("#table-title[")
            self.context.append("]")
        else:  # an admonition's or a topic's own title: written by its parent
            raise nodes.SkipNode

    def depart_title(self, node):
        self.add(self.context.pop())

    def visit_paragraph(self, node):
        self.block(self._target_marks(node))

    def depart_paragraph(self, node):
        self.add("\n\n")

    def _target_marks(self, node: nodes.Element) -> str:
        """A point a link can land on, for an element Typst gives no label."""
        return f"#anchor(){self.labels(node)} " if node.get("ids") else ""

    def visit_rubric(self, node):
        self.block("#rubric[")

    def depart_rubric(self, node):
        self.add("]\n\n")

    def visit_transition(self, node):
        if not isinstance(node.next_node(descend=False, siblings=True), nodes.footnote):
            self.block("#line(length: 100%)\n\n")  # not the web's rule above the footnotes
        raise nodes.SkipNode

    def visit_target(self, node):
        if node.get("ids") and not node.get("refid") and not node.get("refuri"):
            self.add(self._target_marks(node))
        elif node.get("refuri") and node.children:  # a named external link
            self.visit_reference(node)
            return
        if not node.children:
            raise nodes.SkipNode

    def depart_target(self, node):
        if node.get("refuri") and node.children:
            self.depart_reference(node)

    def visit_block_quote(self, node):
        self.block("#quote(block: true)[")

    def depart_block_quote(self, node):
        self.add("]\n\n")

    def visit_attribution(self, node):
        self.block("— ")

    def depart_attribution(self, node):
        pass

    def visit_line_block(self, node):
        self.block()

    def depart_line_block(self, node):
        self.add("\n\n")

    def visit_line(self, node):
        pass

    def depart_line(self, node):
        self.add(" \\\n")

    # -- admonitions and topics ----------------------------------------------

    def visit_admonition(self, node, name: str = ""):
        title = name
        if not title:
            first = node.children[0] if node.children else None
            title = first.astext() if isinstance(first, nodes.title) else "Note"
        kind = node.__class__.__name__ if name else "admonition"
        self.block(f"#note(kind: {string_literal(kind)}, {string_literal(title)})[")

    def depart_admonition(self, node=None):
        self.add("]\n\n")

    def visit_topic(self, node):
        self.visit_admonition(node)

    depart_topic = depart_admonition
    visit_sidebar = visit_topic
    depart_sidebar = depart_admonition

    # -- lists ------------------------------------------------------------------

    def visit_bullet_list(self, node):
        self.block("#list(")

    def depart_bullet_list(self, node):
        self.add(")\n\n")

    def visit_enumerated_list(self, node):
        self.block(f"#enum(start: {node.get('start', 1)}, ")

    depart_enumerated_list = depart_bullet_list

    def visit_list_item(self, node):
        self.add("[")

    def depart_list_item(self, node):
        self.add("], ")

    def visit_definition_list(self, node):
        self.block("#terms(")

    depart_definition_list = depart_bullet_list

    def visit_definition_list_item(self, node):
        self.add("terms.item(")

    def depart_definition_list_item(self, node):
        self.add("), ")

    def visit_term(self, node):
        self.add("[" + self._target_marks(node))

    def depart_term(self, node):
        if not isinstance(node.next_node(descend=False, siblings=True), nodes.term):
            self.add("], ")
        else:
            self.add(" ")  # a second term of the same item: one label, both terms

    def visit_classifier(self, node):
        self.add(" (")

    def depart_classifier(self, node):
        self.add(")")

    def visit_definition(self, node):
        self.add("[")

    def depart_definition(self, node):
        self.add("]")


    def visit_field_list(self, node):
        self.visit_definition_list(node)

    depart_field_list = depart_bullet_list

    def visit_field(self, node):
        self.add("terms.item(")

    depart_field = depart_definition_list_item

    def visit_field_name(self, node):
        self.add("[")

    def depart_field_name(self, node):
        self.add("], ")

    visit_field_body = visit_definition
    depart_field_body = depart_definition

    # -- tables -----------------------------------------------------------------

    def visit_table(self, node):
        self.block(self._target_marks(node))

    def depart_table(self, node):
        self.add("\n\n")

    def visit_tgroup(self, node):
        unbroken, weights = balanced_widths(node)
        self.add(f"#balanced-table(unbroken: ({''.join(string_literal(u) + ', ' for u in unbroken)}), "
                 f"weights: ({''.join(f'{w}, ' for w in weights)}), ")

    def depart_tgroup(self, node):
        self.add(")\n\n")

    def visit_colspec(self, node):
        raise nodes.SkipNode

    def visit_thead(self, node):
        self.add("table.header(")

    def depart_thead(self, node):
        self.add("), ")


    def visit_entry(self, node):
        spans = []
        if node.get("morecols"):
            spans.append(f"colspan: {node['morecols'] + 1}")
        if node.get("morerows"):
            spans.append(f"rowspan: {node['morerows'] + 1}")
        self.add(f"table.cell({', '.join(spans)})[" if spans else "[")

    def depart_entry(self, node):
        self.add("], ")

    # -- inline -------------------------------------------------------------------

    def visit_Text(self, node):
        text = node.astext()
        self.add(escape(text))


    visit_emphasis, depart_emphasis = _wrap("#emph[")
    visit_strong, depart_strong = _wrap("#strong[")
    visit_literal_emphasis, depart_literal_emphasis = _wrap("#emph[")
    visit_literal_strong, depart_literal_strong = _wrap("#strong[")
    visit_title_reference, depart_title_reference = _wrap("#emph[")
    visit_subscript, depart_subscript = _wrap("#sub[")
    visit_superscript, depart_superscript = _wrap("#super[")
    visit_abbreviation, depart_abbreviation = _wrap("#[")
    visit_inline, depart_inline = _wrap("#[")

    def visit_literal(self, node):
        self.add("#raw(" + string_literal(node.astext()) + ")")
        raise nodes.SkipNode

    def visit_literal_block(self, node):
        self.block(self._target_marks(node) + "#raw(block: true, "
                   + string_literal(node.astext()) + ")\n\n")
        raise nodes.SkipNode

    visit_doctest_block = visit_literal_block

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
        footnote = self.footnotes.get(node.get("refid", ""))
        if footnote is None:
            self.refuse(node, f"the footnote {node.astext()!r} has no text to print")
        self.add("#footnote[")
        for child in footnote.children:
            if not isinstance(child, nodes.label):
                child.walkabout(self)
        self.add("]")
        raise nodes.SkipNode

    def visit_footnote(self, node):
        raise nodes.SkipNode  # printed where it is referenced

    def visit_citation(self, node):
        # sphinxcontrib-bibtex's entries: the label is the reference's text.
        self.block("#citation[")

    def depart_citation(self, node):
        self.add("]" + self.labels(node) + "\n\n")

    def visit_label(self, node):
        raise nodes.SkipNode

    def visit_image(self, node):
        path = self.images.get(node["uri"])
        if path is None:
            self.unknown_visit(node)
        alt = node.get("alt", "")
        width = length(node.get("width"))
        args = [string_literal(path), f"alt: {string_literal(alt)}"]
        if width:
            args.append(f"width: {width}")
        image = f"image({', '.join(args)})"
        if isinstance(node.parent, nodes.figure):
            self.figure_image = image
        else:
            self.block(f"#{image}{self.labels(node)}\n\n")
        raise nodes.SkipNode

    def visit_figure(self, node):
        self.figure_image = None

    def depart_figure(self, node):
        if self.figure_image:  # a figure with no caption
            self.block(f"#figure({self.figure_image}){self.labels(node)}\n\n")
        self.figure_image = None

    def visit_caption(self, node):
        self.block(f"#figure({self.figure_image}, caption: [")
        self.figure_image = None

    def depart_caption(self, node):
        self.add("])" + self.labels(node.parent) + "\n\n")


    def visit_raw(self, node):
        if "typst" in node.get("format", "").split():
            self.add(node.astext())
            raise nodes.SkipNode
        self.refuse(node, f"raw {node.get('format', '')} cannot be printed in the PDF: "
                    "write it as Markdown (a link as [words](page.md#heading)).")

    def visit_problematic(self, node):
        self.unknown_visit(node)

    def unknown_departure(self, node):
        pass


for _name, _title in ADMONITIONS.items():
    setattr(TypstTranslator, f"visit_{_name}",
            lambda self, node, title=_title: self.visit_admonition(node, title))
    setattr(TypstTranslator, f"depart_{_name}", TypstTranslator.depart_admonition)
for _name in PASS_THROUGH:
    setattr(TypstTranslator, f"visit_{_name}", lambda self, node: None)
for _name in ("document", "Text", *PASS_THROUGH):
    setattr(TypstTranslator, f"depart_{_name}", lambda self, node: None)
for _skipped in SKIPPED:
    setattr(TypstTranslator, f"visit_{_skipped.__name__}", lambda self, node: _skip())


def _skip():
    raise nodes.SkipNode


def _bare(address: str) -> str:
    """An address as a reader sees it: no scheme, "www." or closing slash;
    a DOI written "doi:10.x/y" is its https://doi.org/10.x/y."""
    address = address.strip().lower()
    address = re.sub(r"^doi:\s*", "doi.org/", address)
    address = re.sub(r"^[a-z]+://", "", address)
    return address.removeprefix("www.").rstrip("/")


def _keeps_with_review(node: nodes.Node) -> bool:
    """Whether ``node`` is the paragraph just before a page's review dates,
    printed on one page with them (a paragraph, short enough to keep whole)."""
    following = node.next_node(descend=False, siblings=True) \
        if isinstance(node, nodes.Element) else None
    return isinstance(node, nodes.paragraph) and is_review(following) and not is_review(node)


def _nearest_location(node: nodes.Node) -> str:
    while node is not None:
        if getattr(node, "source", None):
            return f"{node.source}:{node.line or ''}"
        node = node.parent
    return "(unknown source)"
