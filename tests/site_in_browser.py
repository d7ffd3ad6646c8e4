"""The built site in a real browser: what the browser tests share.

The site is served from 127.0.0.1 under its published path, and opened in
headless Chromium (Debian's, at /usr/bin/chromium) through Playwright; a
Visit is one tab that refuses, and records, any request to another host.
conftest.py's fixtures (``browser``, ``served_site``, ``visit``,
``site_paths``, ``sweep_paths``) start one browser and one server for each
module's tests.

The sweeps, the checks that open page after page (axe, the survey of what
each page fetches and shows, the names of its controls), open every page of
a book of up to ``SWEEP_PAGES`` pages. A bigger book's sweeps open a sample
(`sweep`): the start page, the help page, one page of each kind, and others
spread through the book. Each sweep costs about a second a page, so they
grew with the book's pages (issue 15: at 10×, half of `make test`'s time),
while what they judge, the theme and the kinds of markup on a page, does
not grow with it.
The checks that read every page's HTML (tests/test_html.py and others) still
read every page.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bs4 import BeautifulSoup
from utils import ROOT

from handbook.shared import site_pages as shared_site_pages

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# What Tab can stop on (hidden or inert ones aside, which a check filters).
FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])'
# The most pages a sweep opens; 0 opens every page (HANDBOOK_SWEEP_PAGES=0
# make test: the weekly run in .github/workflows/test.yml does).
SWEEP_PAGES = int(os.environ.get("HANDBOOK_SWEEP_PAGES", "60"))


def site_pages(html: Path) -> list[str]:
    """Every page of the built site, as a path from its root."""
    return [page.relative_to(html).as_posix() for page in shared_site_pages(html)]


_ARTICLE = re.compile(r"<article\b.*?</article>", re.S)
_START_TAG = re.compile(r"<([a-zA-Z][\w-]*)(\s[^>]*)?>")
_ATTRIBUTE = re.compile(r"""([^\s=/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?""")


def kind(page: str) -> frozenset[tuple[str, str, tuple[str, ...]]]:
    """What a page's article is made of: each element's name, classes and
    other attributes' names (not their values, nor any text), as a set. Two
    pages of one kind use the same markup, which the theme styles alike."""
    found = _ARTICLE.search(page)
    tags = set()
    for name, attributes in _START_TAG.findall(found[0] if found else page):
        pairs = dict((key.lower(), value.strip("\"'")) for key, value in _ATTRIBUTE.findall(attributes))
        classes = " ".join(sorted(pairs.pop("class", "").split()))
        tags.add((name.lower(), classes, tuple(sorted(pairs))))
    return frozenset(tags)


def help_page(html: Path) -> str:
    """The page the start page's "Get help now" leads to, as a path from the
    site's root: a sample always holds it, beside the start page."""
    start = BeautifulSoup((html / "index.html").read_text("utf-8"), "html.parser")
    return start.select_one("a.handbook-link-help")["href"].partition("#")[0]


def sweep(html: Path, paths: list[str], most: int = SWEEP_PAGES,
          always: tuple[str, ...] = ()) -> list[str]:
    """The pages a sweep opens, in the site's order: all of ``paths`` when
    there are at most ``most`` (or ``most`` is 0); else those in ``always``
    (the start page, the help page), the first page of each kind (see
    `kind`), then others spread evenly through the rest, up to ``most`` in
    all (more, if the book has more kinds than that)."""
    if most <= 0 or len(paths) <= most:
        return list(paths)
    first = {}
    for path in paths:
        first.setdefault(kind((html / path).read_text("utf-8")), path)
    chosen = set(first.values()) | (set(always) & set(paths))
    rest = [path for path in paths if path not in chosen]
    room = min(most - len(chosen), len(rest))
    if room > 0:
        chosen.update(rest[(2 * i + 1) * len(rest) // (2 * room)] for i in range(room))
    return [path for path in paths if path in chosen]


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under its published path (say /handbook/), as its
    host does: the 404 page links its files from there."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no such file")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, *args) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """Says nothing when the browser drops a connection (it leaves a page
    before all its files came), but reports any other error."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextmanager
def serve(html: Path, published: str) -> Iterator[str]:
    """The site in html served over HTTP on 127.0.0.1 (a free port), under
    its published path (conf.py's notfound_urls_prefix); yields its address."""
    folder = (published or "/").strip("/")
    prefix = f"/{folder}/" if folder else "/"
    handler = functools.partial(
        type("Handler", (SiteHandler,), {"prefix": prefix}), directory=str(html),
    )
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


class Visit:
    """A browser tab on the site that refuses, and records, any other host."""

    def __init__(self, browser, site: str, **options) -> None:
        self.site = site
        self.requests: list[str] = []
        self.elsewhere: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(**options)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith((self.site, "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def open(self, path: str) -> None:
        self.page.goto(self.site + path)  # until "load": its fonts too
        if "search.html?q=" in path:
            self.page.wait_for_selector("#search-results li a")

    def close(self) -> None:
        self.context.close()


def axe(page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page, one line each."""
    # Evaluated through the DevTools protocol: the page's Content-Security-
    # Policy would refuse it as an inline script.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    # Violations only: axe then names no elements for the rules a page
    # passes, which took half its time.
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]


def focused(page) -> dict:
    """The focused element, and whether its focus ring can be seen: an
    outline or a shadow, in a colour that is not transparent, round a box
    that is not empty (an outline round a 0 px tall box draws nothing)."""
    return page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        const box = e.getBoundingClientRect();
        const clear = (c) => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                        && !clear(s.outlineColor);
        return {text: (e.innerText || e.getAttribute('aria-label') || e.value || '').trim(),
                tag: e.tagName, href: e.getAttribute('href'),
                box: [Math.round(box.width), Math.round(box.height)],
                ring: (outline || s.boxShadow !== 'none') && box.width > 0 && box.height > 0};
    }""")
