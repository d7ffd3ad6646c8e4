"""Journeys through the website by keyboard, in a real browser: the skip link,
every control by Tab, the search, the PDF link, the colour mode and the
navigation, on a phone and on a desktop.

The browser, the site served and a tab on it come from conftest.py and
tests/site_in_browser.py, as for test_browser.py and test_keyboard.py.
"""

import pytest
from site_in_browser import DESKTOP, FOCUSABLE, PHONE, focused as _focused


# -- Keyboard ------------------------------------------------------------------

def test_skip_link_is_the_first_stop_and_jumps_to_the_text(visit):
    tab = visit(viewport=PHONE)
    tab.open("help-now.html")
    tab.page.keyboard.press("Tab")
    first = _focused(tab.page)
    assert first["text"] == "Skip to main content" and first["ring"], first
    assert tab.page.get_by_role("link", name="Skip to main content").is_visible()
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("location.hash") == "#main-content"


def test_every_control_is_reachable_by_tab_with_a_visible_focus(visit, site_paths):
    tab = visit(viewport=DESKTOP)
    for path in ("index.html", "help-now.html"):
        tab.open(path)
        controls = tab.page.evaluate("""(focusable) => [...document.querySelectorAll(focusable)]
            .filter(e => e.checkVisibility({visibilityProperty: true}) && !e.closest('[inert]'))
            .map((e, i) => { e.dataset.control = i; return i; })""", FOCUSABLE)
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
    # A page's link (in a long book the menu starts with one to the contents).
    nav_link = page.locator("#pst-primary-sidebar-modal nav.bd-docs-nav a.reference:not([href^='#'])").first
    assert not nav_link.is_visible()
    page.locator(".bd-header-article .primary-toggle").click()
    nav_link.wait_for(state="visible")
    href = nav_link.get_attribute("href")
    nav_link.click()
    page.wait_for_url(f"**/{href}")


def test_a_navigation_link_to_the_same_page_closes_the_navigation_on_a_phone(visit):
    """The page's own entry, and in a book too long for one menu the start
    page's link to the contents: the reader sees where the link leads."""
    tab = visit(viewport=PHONE)
    page, followed = tab.page, []
    for path in ("what-is-peer-support.html", "index.html"):
        tab.open(path)
        links = page.locator("#pst-primary-sidebar nav.bd-docs-nav a[href^='#']")
        for n in range(links.count()):
            tab.open(path)
            page.locator(".bd-header-article .primary-toggle").click()
            link = page.locator("#pst-primary-sidebar-modal nav.bd-docs-nav a[href^='#']").nth(n)
            href = link.get_attribute("href")
            link.click()
            page.locator("#pst-primary-sidebar-modal").wait_for(state="hidden")
            followed.append(href)
            if href != "#":  # the focus is where the link led, in sight
                assert page.evaluate("document.activeElement.id") == href[1:], href
                top = page.evaluate("document.activeElement.getBoundingClientRect().top")
                assert 0 <= top < PHONE["height"], (href, top)
    assert "#" in followed, "expected the page's own entry in its menu"


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
