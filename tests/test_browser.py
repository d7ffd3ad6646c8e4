"""The website in a real browser: accessible, private, and usable by keyboard
and on a phone.

The built site is served from 127.0.0.1 and opened in headless Chromium
(Debian's, at /usr/bin/chromium) through Playwright (tests/site_in_browser.py,
one browser for the module: conftest.py). axe-core (from npm, see package.json)
checks every page against the WCAG 2.2 AA rules, in light and in dark mode.
Every request the browser makes is recorded, and any to another host is
refused and reported. (A book of more than 60 pages is swept by a sample of
its pages, one of each kind and more: site_in_browser.sweep.) Journeys by keyboard are in test_browser_journeys.py
and test_keyboard.py.
"""

from urllib.parse import urlparse

import pytest
from site_in_browser import AXE, DESKTOP, PHONE, Visit, axe as _axe, help_page

LINKS = ("Get help now", "Download PDF")
_SURVEY_JS = """(links) => ({
    width: document.documentElement.scrollWidth,
    csp: window.__cspViolations,
    links: links.map(name => [...document.querySelectorAll('a')]
        .filter(a => a.textContent.trim() === name && a.checkVisibility())
        .map(a => { const r = a.getBoundingClientRect(); return [r.left, r.top, r.right]; })[0] || null),
})"""


@pytest.fixture(scope="module")
def survey(browser, served_site, sweep_paths):
    """Every page (of a big book, a sample: conftest.py's sweep_paths)
    opened once at each size, what it fetched and showed.

    One visit per page serves several tests below; each asserts one thing.
    """
    found = {}

    def at(name: str) -> dict:
        if name not in found:
            tab = Visit(browser, served_site, viewport={"phone": PHONE, "desktop": DESKTOP}[name])
            tab.context.add_init_script("""
                window.__cspViolations = [];
                document.addEventListener("securitypolicyviolation",
                    (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
            """)
            facts = {}
            for path in [*sweep_paths, "search.html?q=support"]:
                start = len(tab.requests)
                tab.open(path)
                facts[path] = tab.page.evaluate(_SURVEY_JS, list(LINKS))
                facts[path]["requests"] = tab.requests[start:]
            found[name] = {"pages": facts, "elsewhere": tab.elsewhere, "errors": tab.errors}
            tab.close()
        return found[name]

    return at


# -- Accessibility ---------------------------------------------------------

@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_page_passes_axe_wcag_22_aa(visit, sweep_paths, mode):
    if not AXE.is_file():
        pytest.skip("needs axe-core from npm: run `npm ci` (make test does)")
    tab = visit(viewport=DESKTOP, color_scheme=mode)
    problems = []
    for path in [*sweep_paths, "search.html?q=group"]:
        tab.open(path)
        if "?q=" in path:
            tab.page.wait_for_selector("#search-results li")
        assert tab.page.evaluate("document.documentElement.dataset.theme") == mode, path
        problems += [f"{path}: {v}" for v in _axe(tab.page)]
    assert not problems, "\n".join(problems)


# Each element's colours, by what it is (tag, classes, id, first words).
_COLOURS = """() => Object.fromEntries([...document.querySelectorAll('body *')]
    .filter(e => e.getClientRects().length)
    .map(e => { const s = getComputedStyle(e);
        return [[e.tagName, e.className, e.id, e.textContent.trim().slice(0, 40)].join('|'),
                [s.color, s.backgroundColor, s.borderTopColor]]; }))"""


def test_without_scripts_a_dark_device_gets_the_dark_mode_axe_checks(visit, book):
    """The theme's script colours a page dark (the axe check above, in dark);
    without scripts the stylesheet does (lean_assets: _dark_without_scripts),
    with the same colours, and a light device still gets light."""
    for path in ["index.html", help_page(book.html), "references.html"]:
        colours = {}
        for scripts, mode in [(True, "dark"), (False, "dark"), (False, "light")]:
            tab = visit(viewport=DESKTOP, color_scheme=mode, java_script_enabled=scripts)
            tab.open(path)
            assert (tab.page.evaluate("document.documentElement.dataset.mode") is None) != scripts
            colours[scripts, mode] = tab.page.evaluate(_COLOURS)
        scripted, unscripted = colours[True, "dark"], colours[False, "dark"]
        shared = scripted.keys() & unscripted.keys()
        assert len(shared) > 50, path
        differ = sorted(k for k in shared if scripted[k] != unscripted[k])
        assert not differ, f"{path}: without scripts, not the dark colours: {differ[:5]}"
        light = colours[False, "light"]
        assert sum(light[k] != unscripted[k] for k in shared & light.keys()) > len(shared) / 2, path


def test_axe_finds_a_planted_violation(visit, site_paths):
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


def test_on_a_phone_numbers_stay_whole_and_references_carry_no_numbers(visit):
    # A number split over two lines is misread; the reference list's [1],
    # [2] ... only took a column, as the text cites by author and year.
    tab = visit(viewport=PHONE)
    tab.open("help-now.html")
    numbers = 'a[href^="tel:"], a[href^="sms:"]'
    assert tab.page.locator(numbers).count() > 10
    split = tab.page.eval_on_selector_all(
        numbers, "links => links.filter(a => a.getClientRects().length > 1).map(a => a.textContent)")
    assert split == []
    tab.open("references.html")
    shown = tab.page.eval_on_selector_all(
        "div.citation .label", "labels => labels.filter(l => l.getClientRects().length)"
        ".map(l => l.textContent)")
    assert shown == []
