"""The built website's internal links: every address inside the site names a
file that exists, and every #fragment an id in it (``check_site``)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from handbook.tools.links.common import _lines, _source_of, DOCS, Failure, IGNORED_SCHEMES, NOT_IN_SOURCES, parse_page, Report, TOP_OF_PAGE


# -- The built website -------------------------------------------------------

@dataclass(frozen=True)
class Site:
    """A built website: its folder, and the address it is published at, if known.

    The address comes from the start page's canonical link (conf.py's
    ``html_baseurl``). Addresses under it (canonical links, ``og:url``,
    ``og:image``) are files of this site; so are links from the site's root
    under its path (``/handbook/help-now.html``), which the 404 page uses
    because it is served at any depth.
    """

    root: Path
    base_url: str | None = None
    # What is wrong with each target file and fragment, once worked out: the
    # navigation links every page to the same few targets.
    verdicts: dict[tuple[str, str], str | None] = field(
        default_factory=dict, compare=False, repr=False)

    @classmethod
    def read(cls, root: Path) -> Site:
        start = root / "index.html"
        canonical = parse_page(start).canonical if start.is_file() else None
        return cls(root, canonical.rsplit("/", 1)[0] + "/" if canonical else None)

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path if self.base_url else "/"


def check_site(html_dir: Path, docs_dir: Path = DOCS) -> Report:
    """Check every address in the built site that points inside the site.

    Every ``.html`` file is read, including ``genindex.html``, ``search.html``
    and ``404.html`` (theme pages with no source), then the stylesheets and
    ``sitemap.xml``. Scripts are not read: ``searchindex.js`` is data that
    ``searchtools.js`` turns into links in the reader's browser, from the same
    documents the pages were built from.

    Each link is counted, but each target (a file and fragment) is checked
    once; a broken one is reported on every page that links to it.
    """
    report = Report("website")
    parse_page.cache_clear()  # a rebuilt site, or edited sources, must be read afresh
    _lines.cache_clear()
    site = Site.read(html_dir)
    for path in sorted(html_dir.rglob("*.html")):
        for link in dict.fromkeys(parse_page(path).links):  # once per page, in order
            report.checked += 1
            problem = _site_link_problem(site, path, link)
            if problem:
                where = path.relative_to(html_dir).as_posix()
                source = _source_of(html_dir, path, link, docs_dir)
                report.failures.append(Failure(where, link, problem, source))
    _check_stylesheets(site, report)
    _check_sitemap(site, report)
    return report


def _site_link_problem(site: Site, page: Path, link: str) -> str | None:
    """What is wrong with one address on a built page, or None."""
    if site.base_url and link.startswith(site.base_url):
        link = site.base_path + link[len(site.base_url):]  # this site, by its full address
    parts = urlsplit(link)
    if parts.scheme in IGNORED_SCHEMES or (not parts.scheme and parts.netloc):
        return None  # another site (``//host`` too): the online checker's job
    if parts.scheme:
        return f"a {parts.scheme}: address does not work on the published site"
    path, fragment = unquote(parts.path), unquote(parts.fragment)  # the query is dropped
    if path.startswith("/"):
        if not path.startswith(site.base_path):
            return f"starts with / but the site is published at {site.base_path}"
        joined = _join(site.root, site.root, path[len(site.base_path):])
    else:
        joined = (_join(site.root, page.parent, path) if path
                  else page.relative_to(site.root).as_posix())
    if joined is None:
        return "points outside the built site"
    key = (joined, fragment)
    if key not in site.verdicts:
        site.verdicts[key] = _target_problem(site.root, _as_file(site.root / joined), fragment)
    return site.verdicts[key]


def _target_problem(root: Path, target: Path | None, fragment: str) -> str | None:
    """What is wrong with a resolved target file and fragment, or None."""
    if target is None:
        return "points outside the built site"
    if not target.is_file():
        return "no such file in the built site"
    if target.suffix in (".html", ".htm") and fragment not in TOP_OF_PAGE:
        if fragment not in parse_page(target).ids:
            return f"no id {fragment!r} in {target.relative_to(root).as_posix()}"
    # A fragment on another kind of file is not an id (``book.pdf#page=3``).
    return None


def _join(root: Path, base: Path, path: str) -> str | None:
    """The path inside ``root`` that a relative ``path`` names from folder ``base``
    (None if it leads outside), worked out from the names alone."""
    relative = base.relative_to(root).as_posix()
    joined = posixpath.normpath(posixpath.join(relative, path))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _as_file(target: Path) -> Path:
    """A folder's address names its index.html."""
    return target / "index.html" if target.is_dir() else target


def _check_stylesheets(site: Site, report: Report) -> None:
    """Check ``url()`` and ``@import`` in the site's stylesheets (fonts, pictures)."""
    pattern = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""")
    for sheet in sorted(site.root.rglob("*.css")):
        text = sheet.read_text("utf-8", errors="replace")
        for link in dict.fromkeys(m[2] or m[4] for m in pattern.finditer(text)):
            if link.startswith("#"):
                continue  # url(#id) names an SVG element in the page that uses it
            report.checked += 1
            problem = _site_link_problem(site, sheet, link.split("#")[0])
            if problem:
                where = sheet.relative_to(site.root).as_posix()
                report.failures.append(Failure(where, link, problem, NOT_IN_SOURCES))


def _check_sitemap(site: Site, report: Report) -> None:
    """Each page ``sitemap.xml`` lists (by its full address) is in the site."""
    sitemap = site.root / "sitemap.xml"
    if not sitemap.is_file():
        return
    for url in re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", sitemap.read_text("utf-8")):
        report.checked += 1
        if site.base_url and url.startswith(site.base_url):
            problem = _site_link_problem(site, sitemap, url)
        else:
            problem = f"not under the address in index.html's canonical link ({site.base_url})"
        if problem:
            report.failures.append(Failure("sitemap.xml", url, problem, NOT_IN_SOURCES))


