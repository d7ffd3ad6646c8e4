"""The website in a real browser: accessible, private, and usable by keyboard
and on a phone.

The built site is served from 127.0.0.1 and opened in headless Chromium
(Debian's, at /usr/bin/chromium) through Playwright. axe-core (from npm, see
package.json) checks every page against the WCAG 2.2 AA rules, in light and
in dark mode. Every request the browser makes is recorded, and any to
another host is refused and reported.
"""

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from utils import ROOT

from handbook.shared import site_pages as shared_site_pages
from handbook.tools.browser import CHROMIUM, CHROMIUM_ARGS

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def site_pages(html: Path) -> list[str]:
    """Every page of the built site, as a path from its root."""
    return [page.relative_to(html).as_posix() for page in shared_site_pages(html)]


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under its published path (say /handbook/), as its
    host does: the 404 page links its files from there."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no such file")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(book, config):
    """The built site, served over HTTP on 127.0.0.1 (a free port)."""
    folder = (config.get("notfound_urls_prefix") or "/").strip("/")
    prefix = f"/{folder}/" if folder else "/"
    handler = functools.partial(
        type("Handler", (_SiteHandler,), {"prefix": prefix}), directory=str(book.html),
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{prefix}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Chromium (sudo apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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


@pytest.fixture
def visit(browser, site):
    visits = []

    def open_visit(**options) -> Visit:
        visits.append(Visit(browser, site, **options))
        return visits[-1]

    yield open_visit
    for v in visits:
        v.close()


@pytest.fixture(scope="module")
def pages(book) -> list[str]:
    found = site_pages(book.html)
    assert "index.html" in found
    return found


LINKS = ("Get help now", "Download PDF")
_SURVEY_JS = """(links) => ({
    width: document.documentElement.scrollWidth,
    csp: window.__cspViolations,
    links: links.map(name => [...document.querySelectorAll('a')]
        .filter(a => a.textContent.trim() === name && a.checkVisibility())
        .map(a => { const r = a.getBoundingClientRect(); return [r.left, r.top, r.right]; })[0] || null),
})"""


@pytest.fixture(scope="module")
def survey(browser, site, pages):
    """Every page opened once at each size, what it fetched and showed.

    One visit per page serves several tests below; each asserts one thing.
    """
    found = {}

    def at(name: str) -> dict:
        if name not in found:
            tab = Visit(browser, site, viewport={"phone": PHONE, "desktop": DESKTOP}[name])
            tab.context.add_init_script("""
                window.__cspViolations = [];
                document.addEventListener("securitypolicyviolation",
                    (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
            """)
            facts = {}
            for path in [*pages, "search.html?q=support"]:
                start = len(tab.requests)
                tab.open(path)
                facts[path] = tab.page.evaluate(_SURVEY_JS, list(LINKS))
                facts[path]["requests"] = tab.requests[start:]
            found[name] = {"pages": facts, "elsewhere": tab.elsewhere, "errors": tab.errors}
            tab.close()
        return found[name]

    return at


# -- Accessibility ---------------------------------------------------------

def _axe(page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page, one line each."""
    # Evaluated through the DevTools protocol: the page's Content-Security-
    # Policy would refuse it as an inline script.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_page_passes_axe_wcag_22_aa(visit, pages, mode):
    if not AXE.is_file():
        pytest.skip("needs axe-core from npm: run `npm ci` (make test does)")
    tab = visit(viewport=DESKTOP, color_scheme=mode)
    problems = []
    for path in [*pages, "search.html?q=group"]:
        tab.open(path)
        if "?q=" in path:
            tab.page.wait_for_selector("#search-results li")
        assert tab.page.evaluate("document.documentElement.dataset.theme") == mode, path
        problems += [f"{path}: {v}" for v in _axe(tab.page)]
    assert not problems, "\n".join(problems)


def test_axe_finds_a_planted_violation(visit, pages):
    """The check above can fail: an image without alternative text fails it."""
    if not AXE.is_file():
        pytest.skip("needs axe-core from npm: run `npm ci` (make test does)")
    tab = visit(viewport=DESKTOP)
    tab.open("index.html")
    tab.page.evaluate("""() => {
        const img = document.createElement("img");
        img.src = "_static/favicon.svg";
        document.querySelector("article").prepend(img);
    }""")
    assert any(v.startswith("image-alt") for v in _axe(tab.page))


# -- Privacy -----------------------------------------------------------------

def test_no_page_contacts_another_host(survey):
    for size in ("phone", "desktop"):
        seen = survey(size)
        requests = [url for facts in seen["pages"].values() for url in facts["requests"]]
        assert len(requests) > len(seen["pages"]), "recorded too few requests"
        assert not seen["elsewhere"], "requests to other hosts:\n" + "\n".join(sorted(set(seen["elsewhere"])))
        assert all(urlparse(url).hostname == "127.0.0.1" for url in requests)


def test_pages_run_without_errors_or_policy_violations(survey):
    """No script error, no Content-Security-Policy violation, no 404."""
    seen = survey("desktop")
    violations = [f"{path}: {v}" for path, facts in seen["pages"].items() for v in facts["csp"]]
    assert not violations, "\n".join(violations)
    assert not seen["errors"], "\n".join(seen["errors"])


def test_external_links_leak_no_referrer(visit):
    tab = visit(viewport=DESKTOP)
    tab.open("index.html")
    policy = tab.page.evaluate("document.querySelector('meta[name=referrer]')?.content")
    assert policy == "no-referrer"
    external = tab.page.evaluate("""() => [...document.querySelectorAll('a[href]')]
        .filter(a => a.host !== location.host)
        .map(a => [a.href, a.relList.contains('noopener'), a.relList.contains('noreferrer')])""")
    assert external, "expected the repository and licence links"
    assert all(noopener and noreferrer for _, noopener, noreferrer in external), external


# -- Every device ------------------------------------------------------------

def test_no_page_scrolls_sideways_on_a_phone(survey):
    wide = [f"{path}: {facts['width']}px wide" for path, facts in survey("phone")["pages"].items()
            if facts["width"] > PHONE["width"]]
    assert not wide, "\n".join(wide)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_help_and_pdf_links_show_on_every_page(survey, size):
    width = {"phone": PHONE, "desktop": DESKTOP}[size]["width"]
    hidden = [
        f"{path}: {name}"
        for path, facts in survey(size)["pages"].items()
        for name, box in zip(LINKS, facts["links"], strict=True)
        if box is None or box[0] < 0 or box[1] < 0 or box[2] > width
    ]
    assert not hidden, "\n".join(hidden)


def test_desktop_layout_is_the_themes(visit):
    """At 1280 px: the sidebar beside the article, the page's contents beside it."""
    tab = visit(viewport=DESKTOP)
    tab.open("index.html")
    page = tab.page
    nav = page.locator("#pst-primary-sidebar").bounding_box()
    article = page.locator("article.bd-article").bounding_box()
    toc = page.locator("#pst-secondary-sidebar").bounding_box()
    assert nav["x"] + nav["width"] <= article["x"]
    assert article["x"] + article["width"] <= toc["x"]


def test_icons_show_and_sit_beside_their_text(visit):
    """The icons come from the icon font, not fontawesome.js's SVGs: each
    is drawn (the font's glyph loaded) and none covers the text beside it."""
    tab = visit(viewport=DESKTOP)
    tab.open("search.html?q=group")
    page = tab.page
    assert page.evaluate("document.fonts.check('900 16px \"Font Awesome 7 Free\"')")
    icons = page.evaluate("""() => [...document.querySelectorAll('.bd-header-article .btn > i, .search-button-field > i')]
        .filter(i => i.checkVisibility()).map(i => i.getBoundingClientRect().width)""")
    assert len(icons) >= 2 and all(width > 8 for width in icons), icons
    icon = page.locator(".bd-search-container form.bd-search i.fa-magnifying-glass").bounding_box()
    field = page.locator(".bd-search-container form.bd-search input").bounding_box()
    assert icon["x"] + icon["width"] <= field["x"], (icon, field)


def test_printing_shows_the_text_without_the_site_around_it(visit):
    tab = visit(viewport=DESKTOP)
    tab.open("index.html")
    tab.page.emulate_media(media="print")
    for chrome in ("#pst-header", ".bd-header-article", "#pst-primary-sidebar",
                   "#pst-secondary-sidebar", ".prev-next-footer", ".bd-footer-content",
                   "#pst-skip-link"):
        assert not tab.page.locator(chrome).is_visible(), chrome
    assert tab.page.locator("article.bd-article p").first.is_visible()


# -- Keyboard ------------------------------------------------------------------

def _focused(page) -> dict:
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


def test_skip_link_is_the_first_stop_and_jumps_to_the_text(visit):
    tab = visit(viewport=PHONE)
    tab.open("help-now.html")
    tab.page.keyboard.press("Tab")
    first = _focused(tab.page)
    assert first["text"] == "Skip to main content" and first["ring"], first
    assert tab.page.get_by_role("link", name="Skip to main content").is_visible()
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("location.hash") == "#main-content"


def test_every_control_is_reachable_by_tab_with_a_visible_focus(visit, pages):
    tab = visit(viewport=DESKTOP)
    for path in ("index.html", "help-now.html"):
        tab.open(path)
        controls = tab.page.evaluate("""() => [...document.querySelectorAll(
                'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
            .filter(e => e.checkVisibility({visibilityProperty: true}) && !e.closest('[inert]'))
            .map((e, i) => { e.dataset.control = i; return i; })""")
        reached, unringed = set(), []
        for _ in range(len(controls) + 20):
            tab.page.keyboard.press("Tab")
            index = tab.page.evaluate("document.activeElement.dataset.control")
            if index is not None:
                reached.add(int(index))
                if not _focused(tab.page)["ring"]:
                    unringed.append(_focused(tab.page))
        missed = tab.page.evaluate(
            "(reached) => [...document.querySelectorAll('[data-control]')]"
            ".filter(e => !reached.includes(+e.dataset.control)).map(e => e.outerHTML.slice(0, 120))",
            sorted(reached),
        )
        assert not missed, f"{path}: not reachable by Tab:\n" + "\n".join(missed)
        assert not unringed, f"{path}: no visible focus on {unringed}"


def test_search_works_from_the_keyboard(visit):
    tab = visit(viewport=PHONE)
    tab.open("index.html")
    page = tab.page
    page.keyboard.press("Control+k")
    search = page.locator("#pst-search-dialog input[name=q]")
    assert search.is_visible()
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("group")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=group*")
    page.wait_for_selector("#search-results li a")
    assert page.locator("#search-results li").count() > 0
    first = page.locator("#search-results li a").first
    first.focus()
    target = first.get_attribute("href").split("?")[0].split("#")[0]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{target}*")
    assert not tab.elsewhere


# -- The search page ----------------------------------------------------------

def test_search_page_header_is_the_other_pages_on_a_phone(visit):
    """At 390 px the search page's header hides the repository button, as the
    other pages hide their repository menu, so the name fits one line."""
    tab = visit(viewport={"width": 390, "height": 844})
    heights = {}
    for path in ("index.html", "search.html"):
        tab.open(path)
        header = tab.page.locator(".bd-header-article")
        shown = header.locator("a[href*='github.com']").evaluate_all(
            "links => links.filter(a => a.checkVisibility()).map(a => a.outerHTML.slice(0, 100))")
        assert not shown, f"{path}: repository links shown: {shown}"
        heights[path] = header.locator(".handbook-name").bounding_box()["height"]
    assert heights["search.html"] == heights["index.html"], heights


def test_search_without_javascript_says_so_and_leads_to_the_contents(visit):
    tab = visit(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    tab.open("search.html")
    page = tab.page
    container = page.locator(".bd-search-container")
    assert not container.locator(".admonition").is_visible(), "an error box instead of a note"
    assert "Search needs JavaScript" in container.inner_text()
    link = container.get_by_role("link", name="the contents on the start page")
    assert link.is_visible()
    link.click()
    page.wait_for_url("**/index.html#*")


def test_search_snippets_are_the_pages_text_not_its_header(visit):
    """Sphinx's snippets come from the page's role="main" element, which in
    the theme holds the header's buttons too ("Suggest edit Dark mode")."""
    tab = visit(viewport=DESKTOP)
    tab.open("search.html?q=support")
    page = tab.page
    page.wait_for_selector("#search-results li p.context")
    page.wait_for_timeout(500)  # the rest of the snippets, fetched one by one
    snippets = page.locator("#search-results li p.context").all_inner_texts()
    assert len(snippets) >= 3
    chrome = ("Suggest edit", "Dark mode", "Site navigation", "Download PDF", "Source repository")
    wrong = [text[:120] for text in snippets if any(words in text for words in chrome)]
    assert not wrong, wrong


def test_pdf_link_works_from_the_keyboard(visit, config):
    tab = visit(viewport=PHONE)
    tab.open("index.html")
    page = tab.page
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Download PDF":
            break
    else:
        pytest.fail("Tab never reached the Download PDF link")
    # Enter follows the link; the request is answered here ("no content")
    # so the browser stays on the page, and the PDF is fetched on its own.
    page.route("**/*.pdf", lambda route: route.fulfill(status=204))
    with page.expect_request("**/*.pdf") as request:
        page.keyboard.press("Enter")
    assert request.value.url.endswith("/" + config["pdf_filename"])
    response = tab.context.request.get(request.value.url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_dark_mode_switches_from_the_keyboard_and_sticks(visit):
    tab = visit(viewport=DESKTOP, color_scheme="light")
    tab.open("index.html")
    page = tab.page
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    page.get_by_role("button", name="Dark mode").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    tab.open("help-now.html")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.get_by_role("button", name="Dark mode").get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background != "rgb(255, 255, 255)"


def test_navigation_opens_on_a_phone_and_leads_to_a_page(visit):
    tab = visit(viewport=PHONE)
    tab.open("index.html")
    page = tab.page
    nav_link = page.locator("#pst-primary-sidebar-modal nav.bd-docs-nav a.reference").first
    assert not nav_link.is_visible()
    page.locator(".bd-header-article .primary-toggle").click()
    nav_link.wait_for(state="visible")
    href = nav_link.get_attribute("href")
    nav_link.click()
    page.wait_for_url(f"**/{href}")


def test_navigation_sidebar_hides_and_shows_on_a_desktop(visit):
    tab = visit(viewport=DESKTOP)
    tab.open("index.html")
    page = tab.page
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    page.locator(".bd-header-article .primary-toggle").click()
    sidebar.wait_for(state="hidden")
    page.locator(".bd-header-article .primary-toggle").click()
    sidebar.wait_for(state="visible")
