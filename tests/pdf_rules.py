"""The PDF/UA rules the tests hold both editions to, read as assistive technology reads a PDF.

Each ``check_*`` function takes a PDF (and, where it compares, the book as
HTML) and returns its problems as sentences: none means the rule holds.
tests/test_pdf.py runs them on the built book, and on small PDFs broken on
purpose, one for each rule.
"""

from __future__ import annotations

import itertools
import re

import pikepdf
from bs4 import BeautifulSoup

from handbook.sphinxext.pdf.tags import PAGE_ONLY, Tags, read_tags

HEADING = re.compile(r"^/H([1-6])$")
# What print adds to a paragraph: the page of a cross-reference, a web address.
PRINT_ONLY = re.compile(r" \(page \d+\)| \(https?://[^ )]+\)")


def words(text: str) -> list[str]:
    return text.split()


def check_painted_content_is_tagged(pdf: pikepdf.Pdf, tags: Tags) -> list[str]:
    return [f"page {page + 1}: {op} paints outside tagged content and artifacts"
            for page, op in tags.untagged]


def check_no_text_unreachable(pdf: pikepdf.Pdf, tags: Tags) -> list[str]:
    return [f"page {page + 1}: marked content {mcid} ({tags.content[page, mcid]!r}) "
            "is in no structure element" for page, mcid in sorted(tags.unreached)]


def check_list_items(pdf: pikepdf.Pdf, tags: Tags) -> list[str]:
    problems = []
    for element in tags.root.walk():
        if element.type == "/LI":
            kinds = [child.type for child in element.children if hasattr(child, "type")]
            if kinds != ["/Lbl", "/LBody"]:
                problems.append(f"{element.where()}: list item of {kinds}, not Lbl + LBody: "
                                f"{element.text(tags.content)[:60]!r}")
    return problems


def check_table_headers(pdf: pikepdf.Pdf, tags: Tags) -> list[str]:
    return [f"{element.where()}: table header {element.text(tags.content)!r} has no Scope"
            for element in tags.root.walk()
            if element.type == "/TH" and "/Scope" not in element.attributes]


def check_links(pdf: pikepdf.Pdf, tags: Tags) -> list[str]:
    """Every link annotation belongs to a Link element, and its description
    says its visible text, not only where it goes ("page 22")."""
    owned = {}
    for element in tags.root.walk():
        for annotation in element.annotations():
            owned[annotation.objgen] = element
    problems = []
    for number, page in enumerate(pdf.pages, 1):
        for annotation in page.get("/Annots") or []:
            if annotation.get("/Subtype") != "/Link":
                continue
            element = owned.get(annotation.objgen)
            if element is None or element.type != "/Link":
                kind = "no element" if element is None else element.type
                problems.append(f"page {number}: a link owned by {kind}, not by a Link element")
                continue
            visible = " ".join(words(element.text(tags.content)))
            described = " ".join(words(str(annotation.get("/Contents", ""))))
            only_where = PAGE_ONLY.match(described) and described != visible
            if not visible or not _says(described, visible) or only_where:
                problems.append(f"page {number}: link {visible!r} is described as {described!r}")
    return problems


def _says(description: str, visible: str) -> bool:
    """The description has the visible text's words (quotation marks aside)."""
    def plain(text):
        return [word.strip("“”\"'") for word in words(text)]
    return set(plain(visible)) <= set(plain(description))


def tagged_paragraphs(tags: Tags) -> list[str]:
    """The text of each P element after the contents, as a screen reader reads it."""
    found, started = [], False
    for element in tags.root.walk():
        if element.type == "/TOC":
            started = True
        elif started and element.type == "/P":
            found.append(" ".join(words(element.text(tags.content))))
    return found


def check_paragraph_words(pdf: pikepdf.Pdf, tags: Tags, html: BeautifulSoup) -> list[str]:
    """Each tagged paragraph has the words of a paragraph of the book's HTML:
    none run together, none split by a hyphen (print's page numbers aside)."""
    printed = {" ".join(words(p.get_text())) for p in html.select("main p")}
    problems = []
    for text in tagged_paragraphs(tags):
        if PRINT_ONLY.sub("", text) not in printed:
            problems.append(f"the tagged paragraph {text!r} is no paragraph of the HTML")
    return problems


def tagged_headings(tags: Tags) -> list[tuple[int, str]]:
    return [(int(HEADING.match(e.type)[1]), " ".join(words(e.text(tags.content))))
            for e in tags.root.walk() if HEADING.match(e.type)]


def bookmarks(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    found = []

    def walk(items, level):
        for item in items:
            found.append((level, " ".join(item.title.split())))
            walk(item.children, level + 1)
    with pdf.open_outline() as outline:
        walk(outline.root, 1)
    return found


def check_headings_match_bookmarks(pdf: pikepdf.Pdf, tags: Tags) -> list[str]:
    tagged, marked = tagged_headings(tags), bookmarks(pdf)
    if tagged == marked:
        return []
    first = next(i for i, (a, b) in enumerate(itertools.zip_longest(tagged, marked)) if a != b)
    return [f"heading {first + 1}: tagged {tagged[first:first + 1]}, "
            f"bookmarked {marked[first:first + 1]}"]


def check_no_heading_stranded(pdf: pikepdf.Pdf, tags: Tags) -> list[str]:
    """A heading shares its page with the text it heads (the next element
    with text that is not a heading)."""
    problems = []
    elements = [e for e in tags.root.walk() if e.type != "/StructTreeRoot"]
    for at, element in enumerate(elements):
        if not HEADING.match(element.type):
            continue
        after = next((e for e in elements[at + 1:] if not HEADING.match(e.type)
                      and not _within(e, element) and e.where() != "no page"), None)
        if after is not None and after.where() != element.where():
            problems.append(f"{element.where()}: heading {element.text(tags.content)!r} is "
                            f"stranded: its text starts on {after.where()}")
    return problems


def _within(element, heading) -> bool:
    return any(element is inner for inner in heading.walk())


def check_document(pdf: pikepdf.Pdf, tags: Tags) -> list[str]:
    problems = []
    if str(pdf.Root.get("/Lang", "")) != "en-GB":
        problems.append("/Lang is not en-GB")
    if not str(pdf.docinfo.get("/Title", "")):
        problems.append("no title")
    if not pdf.Root.get("/ViewerPreferences", {}).get("/DisplayDocTitle"):
        problems.append("DisplayDocTitle is not set")
    return problems


RULES = [
    check_painted_content_is_tagged, check_no_text_unreachable, check_list_items,
    check_table_headers, check_links, check_headings_match_bookmarks, check_no_heading_stranded,
    check_document,
]


def all_problems(pdf: pikepdf.Pdf, html: BeautifulSoup | None = None) -> list[str]:
    tags = read_tags(pdf)
    problems = [problem for rule in RULES for problem in rule(pdf, tags)]
    if html is not None:
        problems += check_paragraph_words(pdf, tags, html)
    return problems


BOOK_FACE = re.compile(r"^/[A-Z]{6}\+AtkinsonHyperlegible(Mono)?-(Regular|Italic|Bold|BoldItalic)$")


def embedded_faces(pdf) -> set[str]:
    """The book's faces a PDF embeds ("Regular", "Mono-Regular", ...); each font
    must be one of the book's own, embedded (test_pdf.py, test_pdf_small.py)."""
    faces = set()
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            name = str(font.BaseFont)
            assert BOOK_FACE.match(name), name
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name
            faces.add(name.split("+AtkinsonHyperlegible")[1].lstrip("-"))
    return faces
