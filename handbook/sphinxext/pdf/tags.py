"""The PDF read as assistive technology reads it: the structure tree and its text.

`read_tags` walks the structure tree with pikepdf and gives each element
(type, attributes, children) with the text of its marked content, decoded
through each font's ``ToUnicode`` map, as a screen reader gets it. It also
collects what the page paints outside any tagged content or artifact, and
the marked content that no element reaches; the tests use it for every
PDF/UA rule they check. The builder, to give each link its visible text as
its description, uses `read_link_tags`: the same reading, narrowed to the
/Link elements and the pages and marked content they reach.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pikepdf

# Operators that put marks on the page.
PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "BI"}
WANTED = " ".join(["BDC", "BMC", "EMC", "Tf", *PAINTING])
# Those that show text, and what the text's marked content and font need.
TEXT = {"Tj", "TJ", "'", '"'}
TEXT_WANTED = " ".join(["BDC", "BMC", "EMC", "Tf", "Do", *TEXT])


@dataclass
class Element:
    """One structure element: its type, attributes, text and children."""

    type: str
    attributes: dict
    children: list = field(default_factory=list)  # Element, or (page, mcid), or annotation
    page: int | None = None
    title: str = ""
    alt: str = ""
    id: str = ""
    source: object = None  # the pikepdf dictionary

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def text(self, content: dict) -> str:
        """The element's text: its marked content's, in reading order."""
        parts = []
        for child in self.children:
            if isinstance(child, Element):
                parts.append(child.text(content))
            elif isinstance(child, tuple):
                parts.append(content.get(child, ""))
        return "".join(parts)

    def where(self) -> str:
        """"page N" (from 1) of the element's first marked content."""
        for element in self.walk():
            for child in element.children:
                if isinstance(child, tuple) and child[0] is not None:
                    return f"page {child[0] + 1}"
        return "no page"

    def annotations(self):
        return [child for child in self.children if isinstance(child, pikepdf.Dictionary)]


@dataclass
class Tags:
    """A PDF's structure tree, its marked content's text, and what escapes both."""

    root: Element
    content: dict[tuple[int, int], str]  # (page, mcid): text
    untagged: list[tuple[int, str]]  # (page, operator) painted outside tags and artifacts
    unreached: set[tuple[int, int]]  # marked content that no element holds


def read_tags(pdf: pikepdf.Pdf) -> Tags:
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    content: dict[tuple[int, int], str] = {}
    untagged: list[tuple[int, str]] = []
    fonts: dict = {}  # each font's map, read once: a page sets its font often
    for number, page in enumerate(pdf.pages):
        for op, operands, mark, font in _painted(page, page.obj, [], fonts, WANTED):
            if mark is None:
                untagged.append((number, op))
            if isinstance(mark, int) and font is not None and op in TEXT:
                content[number, mark] = content.get((number, mark), "") + font.decode(operands)
    root = _element(pdf.Root.StructTreeRoot, pages, None)
    reached = {child for element in root.walk() for child in element.children
               if isinstance(child, tuple)}
    return Tags(root, content, untagged, set(content) - reached)


def read_link_tags(pdf: pikepdf.Pdf) -> Tags:
    """The /Link elements alone, and the text of only their marked content.

    What `describe_links` needs, at a fraction of `read_tags`' cost: the links
    are found through the structure tree's /ParentTree (each link annotation's
    /StructParent names its /Link element), and only the pages holding their
    marked content are read, decoding only that content. The root holds the
    links as its children; nothing is said of untagged or unreached content.
    """
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    tree = pdf.Root.StructTreeRoot
    links, seen = [], set()
    parents = tree.get("/ParentTree")  # a PDF that marks no content may have none
    for _key, node in pikepdf.NumberTree(parents).items() if parents is not None else ():
        if isinstance(node, pikepdf.Dictionary) and node.get("/S") == "/Link" \
                and node.objgen not in seen:
            seen.add(node.objgen)
            links.append(_element(node, pages, _inherited_page(node, pages)))
    wanted: dict[int, set[int]] = {}
    for link in links:
        for element in link.walk():
            for child in element.children:
                if isinstance(child, tuple) and child[0] is not None:
                    wanted.setdefault(child[0], set()).add(child[1])
    content: dict[tuple[int, int], str] = {}
    fonts: dict = {}
    for number in sorted(wanted):
        page, marks = pdf.pages[number], wanted[number]
        for op, operands, mark, font in _painted(page, page.obj, [], fonts, TEXT_WANTED, marks):
            if font is not None and op in TEXT:
                content[number, mark] = content.get((number, mark), "") + font.decode(operands)
    root = Element("/StructTreeRoot", {}, children=links, source=tree)
    return Tags(root, content, [], set())


def _inherited_page(node, pages) -> int | None:
    """The page a structure element's integer kids are on: its nearest ancestor's /Pg."""
    node = node.get("/P")
    while node is not None and node.get("/Type") != "/StructTreeRoot":
        if "/Pg" in node and node.Pg.objgen in pages:
            return pages[node.Pg.objgen]
        node = node.get("/P")
    return None


def _element(node, pages, page) -> Element:
    page = pages.get(node.Pg.objgen, page) if "/Pg" in node else page
    attributes = {}
    for owner in _as_list(node.get("/A")):
        for key, value in owner.items():
            attributes[key] = value
    element = Element(
        str(node.get("/S", "/StructTreeRoot")), attributes, page=page,
        title=_string(node.get("/T")), alt=_string(node.get("/Alt")),
        id=_string(node.get("/ID")), source=node,
    )
    for kid in _as_list(node.get("/K")):
        if isinstance(kid, int):
            element.children.append((page, kid))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            element.children.append((pages.get(kid.Pg.objgen, page), int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            element.children.append(kid.Obj)
        elif isinstance(kid, pikepdf.Dictionary):
            element.children.append(_element(kid, pages, page))
    return element


def _painted(owner, resources_holder, stack: list, cache: dict, operators: str,
             keep: set | None = None):
    """Each painting operator of a content stream and its Form XObjects, in order.

    Yields (operator, operands, mark, font): mark is the innermost marked
    content around it (its MCID, "artifact", or None outside any), font the
    `_Font` set by the last Tf of the same stream. The stack holds, for each
    open marked content, that innermost mark, so the top is the mark. With
    `keep`, only what is painted in those marks is yielded (and Form
    XObjects are still entered, whatever their mark).
    """
    resources = resources_holder.get("/Resources", pikepdf.Dictionary())
    fonts = resources.get("/Font", pikepdf.Dictionary())
    named: dict = {}  # this stream's font names, each looked up once
    font = None
    for instruction in pikepdf.parse_content_stream(owner, operators):
        op = str(instruction.operator)  # its operands are made only when read
        if op == "Tf":
            name = str(instruction.operands[0])
            if name not in named:
                named[name] = _font(fonts.get(name), cache)
            font = named[name]
        elif op in PAINTING:
            mark = stack[-1] if stack else None
            if keep is None or mark in keep:
                yield op, instruction.operands, mark, font
            if op == "Do":
                xobject = resources.XObject[str(instruction.operands[0])]
                if xobject.get("/Subtype") == "/Form":
                    yield from _painted(xobject, xobject, stack, cache, operators, keep)
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op in ("BDC", "BMC"):
            operands, mark = instruction.operands, None
            if str(operands[0]) == "/Artifact":
                mark = "artifact"
            elif op == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                mcid = operands[1].get("/MCID")
                mark = None if mcid is None else int(mcid)
            stack.append(mark if mark is not None else stack[-1] if stack else None)


def _font(font, cache: dict) -> _Font:
    """A font's map, read once for the whole PDF: each page sets its fonts often."""
    if font is None or font.is_indirect:
        key = None if font is None else font.objgen
    else:  # a font written in its page's resources: known by its text, not by id()
        key = font.unparse()
    if key not in cache:
        cache[key] = _Font(font)
    return cache[key]


class _Font:
    """A font's ToUnicode map: glyph codes to text."""

    def __init__(self, font) -> None:
        self.map: dict[bytes, str] = {}
        cmap = font.get("/ToUnicode") if font is not None else None
        if cmap is None:
            return
        data = cmap.read_bytes().decode("latin-1")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
            for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
                self.map[bytes.fromhex(code)] = _utf16(text)
        for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
            for low, high, text in re.findall(
                    r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                start, width = int(low, 16), len(low) // 2
                base = int(text, 16)
                for offset in range(int(high, 16) - start + 1):
                    code = (start + offset).to_bytes(width, "big")
                    self.map[code] = chr(base + offset)

    def decode(self, operands) -> str:
        strings = []
        for operand in operands:
            items = operand if isinstance(operand, pikepdf.Array) else [operand]
            strings += [bytes(item) for item in items if isinstance(item, pikepdf.String)]
        text = []
        for raw in strings:
            for at in range(0, len(raw) - 1, 2):
                text.append(self.map.get(raw[at:at + 2], "\ufffd"))
        return "".join(text)


def _utf16(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be") if hex_text else ""


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _string(value) -> str:
    return "" if value is None else str(value)


# Typst's own descriptions that tell a listener only where a link goes.
PAGE_ONLY = re.compile(r"^(?:Section, )?page \d+$|^(?:https?|tel|sms|mailto):")
# What a link that is not a web page does, said before its text.
KINDS = {"tel": "Telephone", "sms": "Text message", "mailto": "Email"}


def describe_links(pdf: pikepdf.Pdf, tags: Tags) -> int:
    """Describe each link (/Contents) by its visible text where Typst gave only its target.

    Typst describes an internal link by its target's page ("page 22"), a web
    link by its address and a phone link by its bare digits; a person hears
    the link's own words instead, after what the link does when it is not a
    web page ("Telephone 116 123"). Typst's other descriptions ("Footnote 1",
    a contents entry's title and page) are kept. Returns the links described.
    """
    described = 0
    for element in tags.root.walk():
        if element.type != "/Link":
            continue
        text = re.sub(r"\s+", " ", element.text(tags.content)).strip()
        for annotation in element.annotations():
            uri = str(annotation.get("/A", {}).get("/URI", ""))
            kind = KINDS.get(uri.partition(":")[0]) if ":" in uri else None
            if not text or not (kind or PAGE_ONLY.match(str(annotation.get("/Contents", "")))):
                continue
            said = text if kind is None or text.lower().startswith(kind.split()[0].lower()) \
                else f"{kind} {text}"
            annotation.Contents = pikepdf.String(said)
            described += 1
    return described
