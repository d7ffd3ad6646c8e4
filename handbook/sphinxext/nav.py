"""Sphinx extension: the website's menu, worked out once a build, not once a page.

The theme draws each page's menu (the sidebar's list of chapters) by asking
Sphinx for the whole book's toctree, resolved for that page, then reading
the result back with BeautifulSoup: every page's menu costs as much as the
book is long, so the website build grew with the square of its pages
(issue 15; ``handbook/tools/scale.py`` has the profile). Here the book's
outline is read from Sphinx's environment once per build (`Outline`), and
each page's menu is written from it as text (`menu`): the same HTML the
theme writes (its classes, its ``<details>`` toggles, each toggle named
"Pages in <chapter>"), at a cost that does not grow with the book.

A page's menu lists the chapters and pages the start page's toctrees list,
and the pages of the reader's own chapter. In a book with more of those
than ``handbook_nav_max_entries``, a page lists that many, around its own,
and a first link to the full contents on the start page, so every page is
still reached from every page, with or without scripts, and a page's size
stays within its budget however long the book grows. The handbook itself
lists fewer, so its menus are the theme's, byte for byte
(``tests/test_nav.py``).

An outline this module does not draw (numbered toctrees, ``self`` or
generated entries, ``only`` in a chapter's contents, a page with more than
one top-level heading, menu options other than the handbook's) gets the
theme's own menu, as does the 404 page, whose links ``notfound`` rewrites.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.util import url_re

CONTENTS_LINK = "All chapters: the contents"


@dataclass
class Entry:
    """One line of the menu: a page (``docname``) or a web address (``url``)."""

    title: str  # plain text
    docname: str | None = None
    url: str | None = None
    children: list[Entry] = field(default_factory=list)


@dataclass
class Group:
    """The entries of one of the start page's toctrees, under its caption."""

    caption: str  # the caption's HTML, as the theme writes it ("" without one)
    entries: list[Entry]


class Unsupported(Exception):
    """The outline has something only the theme's own menu draws right."""


def outline(app: Sphinx) -> list[Group]:
    """The book's outline from the start page's toctrees, all levels deep."""
    env = app.env
    groups = []
    for toctree in env.master_doctree.findall(addnodes.toctree):
        caption = toctree.get("caption")
        groups.append(Group(_caption(app, toctree) if caption else "",
                            _entries(env, toctree, [app.config.root_doc])))
    return groups


def _caption(app: Sphinx, toctree: addnodes.toctree) -> str:
    """The caption written as Sphinx and the theme write it (once a build)."""
    from bs4 import BeautifulSoup

    caption = toctree["caption"]
    title = nodes.title(caption, "", nodes.Text(caption))
    para = addnodes.compact_paragraph("", "", title, toctree=True)
    fragment = app.builder.render_partial(para)["fragment"]
    return str(BeautifulSoup(fragment, "html.parser"))


def _entries(env, toctree: addnodes.toctree, parents: list[str]) -> list[Entry]:
    if toctree.get("numbered"):
        raise Unsupported("numbered toctree")
    found = []
    for title, ref in toctree["entries"]:
        if url_re.match(ref):
            found.append(Entry(title or ref, url=ref))
            continue
        if ref == "self" or ref in StandardDomain._virtual_doc_names:
            raise Unsupported(ref)
        if ref not in env.tocs or ref in parents:
            continue  # Sphinx warns of it (a missing page, a circle), and the build fails
        toc = env.tocs[ref]
        if len(toc.children) != 1 or next(iter(toc.findall(addnodes.only)), None) is not None:
            raise Unsupported(ref)
        reference = next(iter(toc.findall(nodes.reference)))
        if not all(isinstance(child, nodes.Text) for child in reference.children):
            raise Unsupported(ref)  # markup in a title: the theme writes it
        entry = Entry(title or reference.astext(), docname=ref)
        for sub in toc.findall(addnodes.toctree):
            entry.children += _entries(env, sub, [ref, *parents])
        found.append(entry)
    return found


# -- One page's menu ---------------------------------------------------------

def _text(value: str) -> str:
    """Text escaped as BeautifulSoup writes it (the theme's menu passes through it)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    """An attribute's value, quoted as BeautifulSoup quotes it."""
    value = _text(value)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def _branch(entries: list[Entry], docname: str) -> set[int]:
    """The ids of the entries that hold the page (it, and the chapters above it)."""
    found: set[int] = set()

    def walk(entry: Entry) -> bool:
        inside = entry.docname == docname
        for child in entry.children:
            inside = walk(child) or inside
        if inside:
            found.add(id(entry))
        return inside

    for entry in entries:
        walk(entry)
    return found


def _item(entry: Entry, level: int, page: str, uri, current: set[int], maxdepth: int) -> str:
    here = id(entry) in current
    if entry.url is not None:
        if "#" in entry.url:
            return ""  # the theme drops links to a part of a page
        link = f'<a class="reference external" href={_attr(entry.url)}>{_text(entry.title)}</a>'
    elif entry.docname == page:
        link = f'<a class="current reference internal" href="#">{_text(entry.title)}</a>'
    else:
        link = f'<a class="reference internal" href={_attr(uri(entry.docname))}>{_text(entry.title)}</a>'
    shown = entry.children if here and (maxdepth <= 0 or level < maxdepth) else []
    inner = "".join(_item(child, level + 1, page, uri, current, maxdepth) for child in shown)
    classes = f"toctree-l{level}" + (" current active" if here else "")
    if not inner:
        return f'<li class="{classes}">{link}</li>\n'
    name = "Pages in " + " ".join(entry.title.split())
    sub = ' class="current"' if any(id(child) in current for child in shown) else ""
    return (
        f'<li class="{classes} has-children">{link}<details open="open">'
        f'<summary aria-label={_attr(name)}><span class="toctree-toggle" role="presentation">'
        f'<i class="fa-solid fa-chevron-down"></i></span></summary><ul{sub}>\n{inner}</ul>\n'
        "</details></li>\n"
    )


def _window(groups: list[Group], current: set[int], bound: int) -> list[tuple[Group, list[Entry]]]:
    """Each group with the entries a page lists: all, or ``bound`` of them
    around the reader's own (from the start, on a page outside them)."""
    flat = [(group, entry) for group in groups for entry in group.entries]
    if bound <= 0 or len(flat) <= bound:
        return [(group, group.entries) for group in groups]
    own = next((i for i, (_, entry) in enumerate(flat) if id(entry) in current), 0)
    start = max(0, min(own - (bound - 1) // 2, len(flat) - bound))
    kept = flat[start:start + bound]
    return [(group, [e for g, e in kept if g is group]) for group in groups
            if any(g is group for g, _ in kept)]


def menu(groups: list[Group], page: str, uri, *, maxdepth: int, bound: int,
         contents: str) -> str:
    """The page's menu, as the theme's ``generate_toctree_html`` writes it.

    ``uri(docname)`` is the link from the page to another; ``contents`` the
    link to the full contents, used when the menu lists only ``bound`` entries.
    """
    current = _branch([e for group in groups for e in group.entries], page)
    shown = _window(groups, current, bound)
    parts = []
    if sum(len(entries) for _, entries in shown) < sum(len(g.entries) for g in groups):
        parts.append(f'<ul class="nav bd-sidenav handbook-nav-contents">\n<li class="toctree-l1">'
                     f'<a class="reference internal" href={_attr(contents)}>'
                     f"{_text(CONTENTS_LINK)}</a></li>\n</ul>\n")
    for group, entries in shown:
        items = "".join(_item(e, 1, page, uri, current, maxdepth) for e in entries)
        here = any(id(e) in current for e in entries)
        parts.append(group.caption)  # it ends in a new line
        parts.append(f'<ul class="{"current " if here else ""}nav bd-sidenav">\n{items}</ul>\n')
    return "".join(parts)


def contents_anchor(app: Sphinx) -> str:
    """The id of the start page's section that lists the chapters (the one
    holding its first toctree): the full contents, where the menu's link
    and the no-script "Contents" link lead (read once a build)."""
    builder = app.builder
    if getattr(builder, "handbook_contents_anchor", None) is None:
        builder.handbook_contents_anchor = ""  # type: ignore[attr-defined]
        tree = app.env.get_doctree(app.config.root_doc)
        toctree = next(iter(tree.findall(addnodes.toctree)), None)
        section = toctree.parent if toctree is not None else None
        while section is not None and not isinstance(section, nodes.section):
            section = section.parent
        if section is not None and section["ids"]:
            builder.handbook_contents_anchor = section["ids"][0]  # type: ignore[attr-defined]
    return builder.handbook_contents_anchor  # type: ignore[attr-defined]


# -- Wiring --------------------------------------------------------------------

def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give the page ``handbook_nav``, which the sidebar template calls."""
    if app.builder.name not in ("html", "dirhtml"):
        return
    if pagename == getattr(app.config, "notfound_pagename", None):
        return  # its links are rewritten from the site's root by notfound
    builder = app.builder
    if not hasattr(builder, "handbook_outline"):
        try:
            builder.handbook_outline = outline(app)  # type: ignore[attr-defined]
        except Unsupported:
            builder.handbook_outline = None  # type: ignore[attr-defined]
    groups = builder.handbook_outline  # type: ignore[attr-defined]
    if groups is None:
        return
    drawn: dict[tuple, str] = {}  # the theme renders the sidebar twice a page

    def handbook_nav(kind="sidebar", startdepth=0, maxdepth=4, collapse=True,
                     includehidden=True, titles_only=True, show_nav_level=1):
        if (kind, startdepth, collapse, includehidden, titles_only) != (
                "sidebar", 0, True, True, True) or show_nav_level < 1:
            return None  # not the handbook's menu: the template asks the theme
        key = (maxdepth, show_nav_level)
        if key not in drawn:
            root, anchor = app.config.root_doc, contents_anchor(app)
            contents = builder.get_relative_uri(pagename, root) + (f"#{anchor}" if anchor else "")
            drawn[key] = menu(
                groups, pagename, lambda doc: builder.get_relative_uri(pagename, doc),
                maxdepth=int(maxdepth), bound=app.config.handbook_nav_max_entries,
                contents=contents,
            )
        return drawn[key]

    context["handbook_nav"] = handbook_nav


def _forget(app: Sphinx, env) -> None:
    """A new build (make live) reads the outline afresh."""
    for name in ("handbook_outline", "handbook_contents_anchor"):
        if hasattr(app.builder, name):
            delattr(app.builder, name)


def setup(app: Sphinx) -> dict:
    app.add_config_value(
        "handbook_nav_max_entries", 30, "html", int,
        description="The most chapters and pages of the start page a page's menu lists; "
                    "a longer book's pages list that many, around their own, and the contents",
    )
    # Before the theme's handlers (500): its empty-template check renders the sidebar.
    app.connect("html-page-context", _page_context, priority=400)
    app.connect("env-updated", _forget)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
