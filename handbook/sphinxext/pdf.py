"""The ``pdf`` builder: the whole book as one tagged, printable PDF.

``sphinx-build -b pdf`` works like ``singlehtml``, then hands the page to
WeasyPrint with the print stylesheet in ``handbook/print/``. On the way it:

- repairs cross-document links, which ``singlehtml`` writes as
  ``#document-page#anchor`` (Sphinx issue 14221), to ``#anchor``;
- lifts the chapters out of the start page, so that every top-level page
  of the table of contents is a chapter with an ``<h1>``, and a chapter's
  pages are its sections;
- adds a cover and a table of contents whose page numbers WeasyPrint fills.

The PDF is tagged (PDF/UA-1), carries the book's metadata, and takes its
dates from ``SOURCE_DATE_EPOCH`` or the last commit, so it can be rebuilt
byte for byte.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from bs4 import BeautifulSoup
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.util import logging

from handbook.shared import build_date

PRINT_DIR = Path(__file__).resolve().parent.parent / "print"
DOCUMENT_ANCHOR = re.compile(r"^#document-(?P<doc>[^#]+)(?:#(?P<anchor>.+))?$")
logger = logging.getLogger(__name__)


class PDFBuilder(SingleFileHTMLBuilder):
    """Write the book as one HTML page for print, then render it to PDF."""

    name = "pdf"
    epilog = "The PDF is in %(outdir)s."

    def get_theme_config(self) -> tuple[str, dict]:
        # The page is only WeasyPrint's input: Sphinx's bare theme is enough,
        # and the site theme's scripts and styles would only slow it down.
        return "basic", {}

    def assemble_doctree(self) -> nodes.document:
        tree = super().assemble_doctree()
        self.first_sections = _repair_links(tree, self.config.root_doc)
        _lift_chapters(tree)
        return tree

    def handle_page(self, pagename, addctx, templatename="page.html", *args, **kwargs):
        if pagename == self.config.root_doc:
            templatename = "pdf-book.html"
            addctx = {**addctx, **self._book_context()}
        super().handle_page(pagename, addctx, templatename, *args, **kwargs)

    def _book_context(self) -> dict:
        config = self.config
        date = build_date(Path(self.confdir))
        return {
            "book_title": config.project,
            "book_subtitle": config.subtitle,
            "book_author": config.author,
            "book_edition": config.release,
            "book_date": config.today,
            "book_iso_date": date.isoformat(timespec="seconds"),
            "book_licence": config.licence,
            "book_licence_url": config.licence_url,
            "book_keywords": ", ".join(config.pdf_keywords),
            "book_description": config.subtitle,
            "help_anchor": self.first_sections.get(self.config.help_page, ""),
            "print_css": (PRINT_DIR / "print.css").as_uri(),
        }

    def copy_static_files(self) -> None:
        # The print stylesheet and fonts are read from handbook/print.
        pass

    def finish(self) -> None:
        super().finish()
        page = Path(self.outdir, self.config.root_doc + self.out_suffix)
        page.write_text(finish_book_html(page.read_text("utf-8")), "utf-8")
        target = Path(self.outdir, self.config.pdf_filename)
        render_pdf(page, target)
        logger.info("PDF written to %s", target)


def _repair_links(tree: nodes.document, root_doc: str) -> dict[str, str]:
    """Make every id unique in the merged book and aim links at them.

    Each page numbers its own ids (``id1``, ``id2``...), so merged pages
    collide; cross-page links come out of ``singlehtml`` as
    ``#document-page#anchor`` (Sphinx issue 14221) or ``#document-page``.
    Returns each page's first section id, which links to a page now use.
    """
    for page in tree.findall(addnodes.start_of_file):
        for child in page.children:  # inline_all_toctrees leaves these unset
            child.parent = page
    seen: set[str] = set()
    renamed: dict[tuple[str, str], str] = {}
    first_section: dict[str, str] = {}
    for node in tree.findall(nodes.Element):
        doc = _page_of(node, root_doc)
        new_ids = []
        for old in node["ids"]:
            new = old if old not in seen else f"{doc.replace('/', '-')}-{old}"
            renamed[doc, old] = new
            seen.add(new)
            new_ids.append(new)
        node["ids"] = new_ids
        if isinstance(node, nodes.section) and new_ids:
            first_section.setdefault(doc, new_ids[0])
    for node in tree.findall(nodes.Element):
        doc = _page_of(node, root_doc)
        if node.get("refid"):
            node["refid"] = renamed.get((doc, node["refid"]), node["refid"])
        if node.get("backrefs"):
            node["backrefs"] = [renamed.get((doc, ref), ref) for ref in node["backrefs"]]
        match = DOCUMENT_ANCHOR.match(node.get("refuri", ""))
        if match:
            target = match["doc"]
            anchor = match["anchor"] or first_section.get(target, "document-" + target)
            node["refuri"] = "#" + renamed.get((target, anchor), anchor)
    return first_section


def _page_of(node: nodes.Node, root_doc: str) -> str:
    """The page a node of the merged book came from."""
    while node is not None:
        if isinstance(node, addnodes.start_of_file):
            return node["docname"]
        node = node.parent
    return root_doc


def _lift_chapters(tree: nodes.document) -> None:
    """Give each included page the heading level its place in the book implies.

    ``singlehtml`` puts the pages a toctree lists where the toctree is, often
    inside a subsection: the whole book would be one chapter of the start
    page, and a chapter's pages sections of its last heading. Pages listed by
    the start page become chapters, siblings of the start page; pages listed
    by a chapter move to the end of that chapter, beside its own sections.
    The order is kept, and a subsection left holding only its heading goes
    (at the HTML stage, in ``_drop_empty_sections``).
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


def _ancestors(node: nodes.Node):
    """The nodes that hold ``node``, nearest first."""
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def finish_book_html(html: str) -> str:
    """Tidy the single page for print and add its table of contents."""
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.select("a.headerlink"):
        link.decompose()
    _drop_empty_sections(soup)
    _anchor_headings(soup)
    _mark_links_that_show_their_address(soup)
    _aim_raw_links_inside_the_book(soup)
    _fill_contents(soup)
    return str(soup)


def _drop_empty_sections(soup: BeautifulSoup) -> None:
    """Remove sections left with a heading and nothing under it.

    The start page's "What is in the handbook" holds only toctrees, whose
    pages become chapters: in print its heading would stand alone.
    """
    for section in soup.select("main section"):
        children = [c for c in section.children if getattr(c, "name", None) or c.strip()]
        if len(children) == 1 and re.fullmatch(r"h[1-6]", children[0].name or ""):
            section.decompose()


def _anchor_headings(soup: BeautifulSoup) -> None:
    """Put each section's ids on its heading, so links land where it is printed.

    A section's box can begin at the foot of one page while its heading,
    kept with the text that follows, is printed on the next: a link to the
    section's id would land a page early. Labels written just before the
    heading (``<span id>``) move into it for the same reason.
    """
    for section in soup.select("section[id]"):
        heading = section.find(re.compile(r"^h[1-6]$"), recursive=False)
        if heading is None or heading.get("id"):
            continue
        for span in (*_labels_before(section), *_labels_before(heading)):
            heading.insert(0, span.extract())
        heading["id"] = section.attrs.pop("id")


def _labels_before(tag) -> list:
    """The empty ``<span id>`` labels written immediately before ``tag``."""
    labels = []
    node = tag.previous_sibling
    while node is not None:
        if getattr(node, "name", None) == "span" and node.get("id") and not node.contents:
            labels.append(node)
        elif getattr(node, "name", None) or node.strip():
            break
        node = node.previous_sibling
    return labels


def _mark_links_that_show_their_address(soup: BeautifulSoup) -> None:
    """Class ``shows-address`` for a web link whose text is its address, so
    the print stylesheet does not print the address a second time after it."""
    for link in soup.select("a.reference.external[href]"):
        if link.get_text(strip=True).rstrip("/") == link["href"].rstrip("/"):
            link["class"] = [*link["class"], "shows-address"]


def _aim_raw_links_inside_the_book(soup: BeautifulSoup) -> None:
    """Point raw-HTML links between pages (``other.html#part``) into the book.

    Sphinx resolves Markdown links, but an ``<a href>`` written in a page
    reaches the print page as it is, and would open a file next to the PDF.
    """
    for link in soup.select("main a[href]"):
        href = link["href"]
        if href.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
            continue
        path, _, fragment = href.partition("#")
        start = link.find_previous(id=re.compile(r"^document-"))  # the page the link is on
        here = posixpath.dirname(start["id"].removeprefix("document-")) if start else ""
        page = "document-" + posixpath.normpath(posixpath.join(here, path)).removesuffix(".html")
        for target in (fragment, page):
            if target and soup.find(id=target):
                link["href"] = "#" + target
                break


def _fill_contents(soup: BeautifulSoup) -> None:
    """List chapters and their sections, with page numbers, in ``nav#contents``."""
    contents = soup.find(id="contents-list")
    if contents is None:
        return
    for heading in soup.select("main section > h1, main section > h2"):
        item = soup.new_tag("li", attrs={"class": f"contents-{heading.name}"})
        link = soup.new_tag("a", href="#" + heading["id"])
        link.string = heading.get_text(" ", strip=True)
        item.append(link)
        contents.append(item)


def render_pdf(page: Path, target: Path) -> None:
    """Render the book page to a tagged PDF/UA-1 file with WeasyPrint."""
    from weasyprint import HTML  # imported here: only the PDF build needs it

    HTML(filename=str(page)).write_pdf(
        target,
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
        custom_metadata=True,
    )


def setup(app: Sphinx) -> dict:
    app.add_config_value("subtitle", "", "env")
    app.add_config_value("licence", "", "env")
    app.add_config_value("licence_url", "", "env")
    app.add_config_value("pdf_filename", "book.pdf", "env")
    app.add_config_value("pdf_keywords", [], "env")
    app.add_builder(PDFBuilder)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
