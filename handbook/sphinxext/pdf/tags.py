"""The PDF read as assistive technology reads it: the structure tree and its text.

`read_tags` walks the structure tree with pikepdf and gives each element
(type, attributes, children) with the text of its marked content, decoded
through each font's ``ToUnicode`` map, as a screen reader gets it. It also
collects what the page paints outside any tagged content or artifact, and
the marked content that no element reaches. The builder uses it to give
each link its visible text as its description; the tests use it for every
PDF/UA rule they check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pikepdf

# Operators that put marks on the page.
PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "BI"}
WANTED = " ".join(["BDC", "BMC", "EMC", "Tf", *PAINTING])


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
        _read_stream(page, page.obj, number, content, untagged, [], fonts)
    root = _element(pdf.Root.StructTreeRoot, pages, None)
    reached = {child for element in root.walk() for child in element.children
               if isinstance(child, tuple)}
    return Tags(root, content, untagged, set(content) - reached)


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


def _read_stream(owner, resources_holder, page: int, content: dict, untagged: list,
                 stack: list, cache: dict) -> None:
    """Collect the text of each marked-content id, and untagged painting."""
    resources = resources_holder.get("/Resources", pikepdf.Dictionary())
    fonts = resources.get("/Font", pikepdf.Dictionary())
    font = None
    for operands, operator in pikepdf.parse_content_stream(owner, WANTED):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                mcid = operands[1].get("/MCID")
            stack.append(("artifact" if tag == "/Artifact" else
                          int(mcid) if mcid is not None else None))
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            font = fonts.get(str(operands[0]))
            key = font.objgen if font is not None and font.is_indirect else id(font)
            font = cache[key] if key in cache else cache.setdefault(key, _Font(font))
        elif op in PAINTING:
            mark = next((m for m in reversed(stack) if m is not None), None)
            if mark is None:
                untagged.append((page, op))
            if op == "Do":
                xobject = resources.XObject[str(operands[0])]
                if xobject.get("/Subtype") == "/Form":
                    _read_stream(xobject, xobject, page, content, untagged, stack, cache)
            if isinstance(mark, int) and font is not None and op in ("Tj", "TJ", "'", '"'):
                content[page, mark] = content.get((page, mark), "") + font.decode(operands)


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
