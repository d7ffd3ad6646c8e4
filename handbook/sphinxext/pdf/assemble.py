"""The whole book as one doctree, with one id for each place a link can land.

``inline_all_toctrees`` (as ``singlehtml`` uses it) merges the pages; this
module then makes the merged tree fit for print:

- every id unique across pages, and every link aimed at its target's first
  id, since Typst gives an element one label (`repair_links`); a link to a
  page the book leaves out (the website's Contributing chapter) goes to that
  page on the website;
- each page listed by the start page a chapter, and a chapter's pages its
  sections, wherever the toctree sat (`lift_chapters`);
- no section left holding only its heading (`drop_empty_sections`);
- each page's review dates at the end of its own text, before the pages
  it lists (`close_pages`).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes

from handbook.sphinxext.review import CLASS as REVIEW_CLASS

DOCUMENT_ANCHOR = re.compile(r"^#document-(?P<doc>[^#]+)(?:#(?P<anchor>.+))?$")


def repair_links(tree: nodes.document, root_doc: str, web_base: str) -> dict[str, str]:
    """Make every id unique in the merged book and aim links at first ids.

    Each page numbers its own ids (``id1``, ``id2``...), so merged pages
    collide; cross-page links come out of ``singlehtml`` as
    ``#document-page#anchor`` (Sphinx issue 14221) or ``#document-page``.
    A link to any id of an element is aimed at the element's first id.
    A link to a page that is not in the book (left out by an ``only``
    directive) becomes a link to that page on the website, ``web_base``
    (``html_baseurl``), as a reader of the paper can follow nothing else.
    Returns each page's first section id, which links to a page now use.
    """
    for page in tree.findall(addnodes.start_of_file):
        for child in page.children:  # inline_all_toctrees leaves these unset
            child.parent = page
    seen: set[str] = set()
    renamed: dict[tuple[str, str], str] = {}
    first_section: dict[str, str] = {}
    for node in tree.findall(nodes.Element):
        doc = page_of(node, root_doc)
        new_ids = []
        for old in node["ids"]:
            new = old if old not in seen else f"{doc.replace('/', '-')}-{old}"
            renamed[doc, old] = new
            seen.add(new)
            new_ids.append(new)
        node["ids"] = new_ids
        if isinstance(node, nodes.section) and new_ids:
            first_section.setdefault(doc, new_ids[0])
    primary = _primary_ids(tree)
    in_book = {page["docname"] for page in tree.findall(addnodes.start_of_file)} | {root_doc}
    for node in tree.findall(nodes.Element):
        doc = page_of(node, root_doc)
        if node.get("refid"):
            refid = renamed.get((doc, node["refid"]), node["refid"])
            node["refid"] = primary.get(refid, refid)
        if node.get("backrefs"):
            node["backrefs"] = [renamed.get((doc, ref), ref) for ref in node["backrefs"]]
        match = DOCUMENT_ANCHOR.match(node.get("refuri", ""))
        if match and match["doc"] not in in_book:
            node["refuri"] = web_address(web_base, match["doc"], match["anchor"])
        elif match:
            target = match["doc"]
            anchor = match["anchor"] or first_section.get(target, "document-" + target)
            anchor = renamed.get((target, anchor), anchor)
            node["refuri"] = "#" + primary.get(anchor, anchor)
    return first_section


def web_address(web_base: str, docname: str, anchor: str | None) -> str:
    """A page's address on the website (the html builder's ``page.html``)."""
    return f"{web_base.rstrip('/')}/{docname}.html" + (f"#{anchor}" if anchor else "")


def _primary_ids(tree: nodes.document) -> dict[str, str]:
    """Each id, mapped to the first id of its element; an empty target
    (a label written before a heading) stands for the element it labels."""
    primary = {}
    for node in tree.findall(nodes.Element):
        for name in node["ids"]:
            primary[name] = node["ids"][0]
    for target in tree.findall(nodes.target):
        if target.get("refid") and target["refid"] in primary and not target.children:
            for name in target["ids"]:
                primary[name] = primary[target["refid"]]
    return primary


def page_of(node: nodes.Node, root_doc: str) -> str:
    """The page a node of the merged book came from."""
    while node is not None:
        if isinstance(node, addnodes.start_of_file):
            return node["docname"]
        node = node.parent
    return root_doc


def lift_chapters(tree: nodes.document) -> None:
    """Give each included page the heading level its place in the book implies.

    ``singlehtml`` puts the pages a toctree lists where the toctree is, often
    inside a subsection: the whole book would be one chapter of the start
    page, and a chapter's pages sections of its last heading. Pages listed by
    the start page become chapters, siblings of the start page; pages listed
    by a chapter move to the end of that chapter, beside its own sections.
    """
    for wrapper in list(tree.findall(nodes.compound)):
        if "toctree-wrapper" not in wrapper["classes"]:
            continue
        page = next((a for a in _ancestors(wrapper) if isinstance(a, addnodes.start_of_file)), None)
        holder = tree if page is None else next(iter(page.findall(nodes.section)), None)
        if holder is None or wrapper.parent is holder:
            continue
        wrapper.parent.remove(wrapper)
        holder.extend(wrapper.children)


def drop_empty_sections(tree: nodes.document) -> None:
    """Remove sections left with a heading and nothing under it.

    The start page's "What is in the handbook" holds only toctrees, whose
    pages became chapters, and what only the website shows (a comment now):
    in print its heading would stand alone. The page's review dates, which
    the review extension puts in its last section, move to the end of the
    section before it, so they still close their page.
    """
    for section in list(tree.findall(nodes.section)):
        body = [child for child in section.children
                if not isinstance(child, (nodes.title, nodes.comment))]
        if section.parent is None or any(not is_review(child) for child in body):
            continue
        before = section.parent.index(section) - 1
        holder = section.parent[before] if before >= 0 else section.parent
        if isinstance(holder, nodes.section):
            holder = _end_of(holder)
        for paragraph in body:
            section.remove(paragraph)
            holder.append(paragraph)
        section.parent.remove(section)


def close_pages(tree: nodes.document) -> None:
    """Put each page's review dates before the first page it includes.

    The review extension puts the dates at the end of the page, after its
    toctree; in the book the toctree became the pages it lists, so a
    chapter's dates would follow its last sub-page's dates, two in a row.
    """
    order = {id(node): n for n, node in enumerate(tree.findall(nodes.Node))}
    for review in [node for node in tree.findall(nodes.paragraph) if is_review(node)]:
        page = next((a for a in _ancestors(review) if isinstance(a, addnodes.start_of_file)),
                    tree)
        first = next(page.findall(addnodes.start_of_file, include_self=False), None)
        if first is None or order[id(first)] > order[id(review)]:
            continue
        parent = first.parent
        if isinstance(parent, nodes.compound) and "toctree-wrapper" in parent["classes"] \
                and parent.index(first) == 0:
            first = parent
        review.parent.remove(review)
        first.parent.insert(first.parent.index(first), review)


def is_review(node: nodes.Node) -> bool:
    return isinstance(node, nodes.paragraph) and REVIEW_CLASS in node["classes"]


def _end_of(section: nodes.Element) -> nodes.Element:
    """The deepest last section of ``section``: where its text ends."""
    while section.children and isinstance(section.children[-1], nodes.section):
        section = section.children[-1]
    return section


def _ancestors(node: nodes.Node):
    """The nodes that hold ``node``, nearest first."""
    node = node.parent
    while node is not None:
        yield node
        node = node.parent
