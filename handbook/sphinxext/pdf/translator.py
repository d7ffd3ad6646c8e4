"""The book's doctree written as Typst markup, as Sphinx's text and LaTeX writers do.

`TypstTranslator` is a docutils ``NodeVisitor``: each node the handbook uses
has a ``visit_``/``depart_`` pair that writes Typst. Text is escaped
character by character, so nothing in a page can become Typst markup. A node
with no pair is an error at its source ``file:line`` naming the node, and
the builder then writes no PDF: nothing is dropped from the book unseen.

The class is made of three parts, as Sphinx's writers share theirs:

- this module: the output, the source line of each piece of it, errors, and
  the tables of nodes written as fixed markup (``WRAPPED``, ``CLOSED``) or
  not written at all (``PASS_THROUGH``, ``SKIPPED``);
- `blocks`: sections, paragraphs, notes, lists, tables and figures;
- `inline`: text, code, links, footnotes, citations and raw Typst.

The functions the markup calls (``note``, ``pageref``...) are defined in
``book.typ``, which also sets the page, the type and the cover.
"""

from __future__ import annotations

from bisect import bisect_right

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxTranslator
from sphinx.util.logging import get_node_location

from .assemble import is_review
from .blocks import ADMONITIONS, BlockVisitors
from .inline import InlineVisitors
from .markup import label

logger = logging.getLogger(__name__)
# Nodes written as their content between fixed markup: name -> (opening, closing).
# An opening that starts with a blank line starts a new block. Typst's list(),
# enum(), terms() and table() take their items as arguments, hence the ", ".
WRAPPED = {
    "rubric": ("\n\n#rubric[", "]\n\n"),
    "block_quote": ("\n\n#quote(block: true)[", "]\n\n"),
    "attribution": ("\n\n— ", ""),
    "line_block": ("\n\n", "\n\n"),
    "line": ("", " \\\n"),
    "bullet_list": ("\n\n#list(", ")\n\n"),
    "list_item": ("[", "], "),
    "definition_list": ("\n\n#terms(", ")\n\n"),
    "definition_list_item": ("terms.item(", "), "),
    "definition": ("[", "]"),
    "field_list": ("\n\n#terms(", ")\n\n"),
    "field": ("terms.item(", "), "),
    "field_name": ("[", "], "),
    "field_body": ("[", "]"),
    "thead": ("table.header(", "), "),
    "emphasis": ("#emph[", "]"),
    "strong": ("#strong[", "]"),
    "literal_emphasis": ("#emph[", "]"),
    "literal_strong": ("#strong[", "]"),
    "title_reference": ("#emph[", "]"),
    "subscript": ("#sub[", "]"),
    "superscript": ("#super[", "]"),
    "abbreviation": ("#[", "]"),
    "inline": ("#[", "]"),
}
# Nodes whose visit_ method (in `blocks`) opens them, closed by fixed markup.
CLOSED = {
    "paragraph": "\n\n", "table": "\n\n", "tgroup": ")\n\n", "enumerated_list": ")\n\n",
    "entry": "], ", **{name: "]\n\n" for name in ("admonition", "topic", "sidebar", *ADMONITIONS)},
}
# Nodes whose content is printed as it is, with nothing around it.
PASS_THROUGH = ("start_of_file", "compound", "container", "glossary", "tbody", "row", "legend")
# Nodes that carry nothing for print: the website's metadata, indexes, comments.
SKIPPED = (
    nodes.comment, addnodes.index, nodes.meta, addnodes.toctree, nodes.substitution_definition,
    addnodes.tabular_col_spec, addnodes.highlightlang, nodes.system_message,
    nodes.colspec, nodes.footnote, nodes.label,
)


class TypstTranslator(BlockVisitors, InlineVisitors, SphinxTranslator):
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

    def labels(self, node: nodes.Element) -> str:
        """A label for the node's first id (links were aimed at first ids)."""
        return f" {label(node['ids'][0])}" if node.get("ids") else ""

    def target_marks(self, node: nodes.Element) -> str:
        """A point a link can land on, for an element Typst gives no label."""
        return f"#anchor(){self.labels(node)} " if node.get("ids") else ""

    def location_of_line(self, markup: str, line: int) -> str | None:
        """The source ``file:line`` that line ``line`` (from 1) of the markup came from."""
        offset = sum(len(text) + 1 for text in markup.split("\n")[: line - 1])
        at = bisect_right([start for start, _ in self.sources], offset) - 1
        return self.sources[at][1] if at >= 0 else None

    # -- walking the tree -----------------------------------------------------

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

    def visit_document(self, node):
        self.add('#import "book.typ": *\n')

    def unknown_visit(self, node: nodes.Node) -> None:
        self.refuse(node, f"the PDF builder does not know the {node.__class__.__name__!r} node, "
                    "so it cannot print it. Write the passage with the Markdown the handbook "
                    "already uses, or teach handbook/sphinxext/pdf/translator.py the node.")

    def unknown_departure(self, node):
        pass

    def refuse(self, node: nodes.Node, message: str) -> None:
        """Log what cannot be printed, at its source line; the builder then
        writes no PDF rather than one with the passage missing."""
        where = get_node_location(node) or _nearest_location(node)
        logger.error(message, location=where, type="pdf", subtype="unprintable")
        self.problems += 1
        raise nodes.SkipNode


def _opening(text: str):
    def visit(self, node):
        self.add(text)
    return visit


def _closing(text: str):
    def depart(self, node):
        self.add(text)
    return depart


def _nothing(self, node):
    pass


def _skip(self, node):
    raise nodes.SkipNode


def _install(translator: type) -> None:
    """Give the translator a visit_ and a depart_ method for each node in the tables."""
    methods = {}
    for name, (opening, closing) in WRAPPED.items():
        methods[f"visit_{name}"], methods[f"depart_{name}"] = _opening(opening), _closing(closing)
    for name, closing in CLOSED.items():
        methods[f"depart_{name}"] = _closing(closing)
    for name in ADMONITIONS:
        methods[f"visit_{name}"] = translator.visit_admonition
    for name in PASS_THROUGH:
        methods[f"visit_{name}"] = methods[f"depart_{name}"] = _nothing
    for name in ("document", "Text"):
        methods[f"depart_{name}"] = _nothing
    for node in SKIPPED:
        methods[f"visit_{node.__name__}"] = _skip
    clashes = sorted(name for name in methods if hasattr(translator, name))
    if clashes:  # a table and a method for one node: say which, not silently one
        raise TypeError(f"TypstTranslator has these methods and a table entry too: {clashes}")
    for name, method in methods.items():
        setattr(translator, name, method)


_install(TypstTranslator)


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
