"""The block nodes of the book as Typst: sections, paragraphs, notes, lists, tables, figures.

`BlockVisitors` is a part of `TypstTranslator` (see `translator`): the
visit_ and depart_ methods of the block nodes whose markup depends on the
node. Blocks written as fixed markup around their content are in the
translator's tables.
"""

from __future__ import annotations

from docutils import nodes

from .markup import balanced_widths, length, string_literal

# The notes MyST and Sphinx know, with the title each prints under.
ADMONITIONS = {
    "attention": "Attention", "caution": "Caution", "danger": "Danger", "error": "Error",
    "hint": "Hint", "important": "Important", "note": "Note", "tip": "Tip",
    "warning": "Warning", "seealso": "See also",
}


class BlockVisitors:
    """Block nodes (a part of `TypstTranslator`, which gives ``add`` and ``block``)."""

    # -- structure ------------------------------------------------------------

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
        self.block(self.target_marks(node))

    def visit_transition(self, node):
        if not isinstance(node.next_node(descend=False, siblings=True), nodes.footnote):
            self.block("#line(length: 100%)\n\n")  # not the web's rule above the footnotes
        raise nodes.SkipNode

    def visit_target(self, node):
        if node.get("ids") and not node.get("refid") and not node.get("refuri"):
            self.add(self.target_marks(node))
        elif node.get("refuri") and node.children:  # a named external link
            self.visit_reference(node)
            return
        if not node.children:
            raise nodes.SkipNode

    def depart_target(self, node):
        if node.get("refuri") and node.children:
            self.depart_reference(node)

    def visit_literal_block(self, node):
        self.block(self.target_marks(node) + "#raw(block: true, "
                   + string_literal(node.astext()) + ")\n\n")
        raise nodes.SkipNode

    visit_doctest_block = visit_literal_block

    # -- notes: admonitions, topics and sidebars -------------------------------

    def visit_admonition(self, node):
        name = node.__class__.__name__
        title = ADMONITIONS.get(name)  # a note, a tip...: its kind's title
        if title is None:  # a note with its own title, a topic, a sidebar
            first = node.children[0] if node.children else None
            title, name = first.astext() if isinstance(first, nodes.title) else "Note", "admonition"
        self.block(f"#note(kind: {string_literal(name)}, {string_literal(title)})[")

    visit_topic = visit_sidebar = visit_admonition

    # -- lists (their items are written by the translator's tables) -------------

    def visit_enumerated_list(self, node):
        self.block(f"#enum(start: {node.get('start', 1)}, ")

    def visit_term(self, node):
        self.add("[" + self.target_marks(node))

    def depart_term(self, node):
        following = node.next_node(descend=False, siblings=True)
        if isinstance(following, nodes.term):
            self.add(" ")  # a second term of the same item: one label, both terms
        elif not isinstance(following, nodes.classifier):  # which is part of the term
            self.add("], ")

    def visit_classifier(self, node):
        self.add(" (")

    def depart_classifier(self, node):
        self.add(")")
        self.depart_term(node)  # a classifier ends its term, as the term would

    # -- tables -----------------------------------------------------------------

    def visit_table(self, node):
        self.block(self.target_marks(node))

    def visit_tgroup(self, node):
        unbroken, weights = balanced_widths(node)
        self.add(f"#balanced-table(unbroken: ({''.join(string_literal(u) + ', ' for u in unbroken)}), "
                 f"weights: ({''.join(f'{w}, ' for w in weights)}), ")

    def visit_entry(self, node):
        spans = []
        if node.get("morecols"):
            spans.append(f"colspan: {node['morecols'] + 1}")
        if node.get("morerows"):
            spans.append(f"rowspan: {node['morerows'] + 1}")
        self.add(f"table.cell({', '.join(spans)})[" if spans else "[")

    # -- pictures -----------------------------------------------------------------

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
