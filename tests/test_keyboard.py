"""The website by keyboard and screen reader, at a phone's and a desktop's
width, with and without JavaScript.

Each journey is the one a reader takes: open the navigation, the search or
the colour mode and close it again with the focus back where it was; reach
every chapter; Tab through a page and see where the focus is. The names
that a screen reader announces are read from Chromium's accessibility tree,
which axe cannot check for being the right ones.
"""

import pytest

from site_in_browser import DESKTOP, FOCUSABLE, Visit, focused as _focused

PHONE_390 = {"width": 390, "height": 844}
SIZES = {"phone": PHONE_390, "desktop": DESKTOP}
CONTROL_ROLES = {
    "button", "link", "DisclosureTriangle", "textbox", "searchbox", "combobox",
    "checkbox", "radio", "switch", "menuitem", "menuitemradio", "tab",
}
LONGEST_NAME = 80  # characters: a name is a few words, unless it is the text shown


def _tab_to(page, test: str, limit: int = 80) -> dict:
    """Press Tab until the focused element passes the JavaScript test."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!({test}); }})()"):
            return _focused(page)
    pytest.fail(f"Tab never reached {test}")


def _focus_is(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement.matches(s)", selector)


def _wait_for_focus(page, selector: str, seconds: float = 2) -> None:
    """Wait until the focus is on the selector's element (polled: the pages'
    Content-Security-Policy refuses Playwright's wait_for_function)."""
    for _ in range(int(seconds * 20)):
        if _focus_is(page, selector):
            return
        page.wait_for_timeout(50)
    pytest.fail(f"the focus is on {page.evaluate('document.activeElement.outerHTML.slice(0, 100)')}, "
                f"not on {selector}")


# -- Names in the accessibility tree ------------------------------------------

def _controls(page) -> list[dict]:
    """Every control Chromium exposes, with its computed name and, for a
    chapter's toggle in the navigation, the name it should have."""
    cdp = page.context.new_cdp_session(page)
    found = []
    for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in CONTROL_ROLES:
            continue
        control = {"role": role, "name": node.get("name", {}).get("value", "").strip()}
        if "backendDOMNodeId" in node and (role == "DisclosureTriangle" or len(control["name"]) > LONGEST_NAME):
            handle = cdp.send("DOM.resolveNode", {"backendNodeId": node["backendDOMNodeId"]})
            own, chapter = cdp.send("Runtime.callFunctionOn", {
                "objectId": handle["object"]["objectId"], "returnByValue": True,
                "functionDeclaration": """function () {
                    const words = (e) => e ? e.textContent.trim().replace(/\\s+/g, ' ') : null;
                    return [words(this),
                            words(this.closest('li.has-children')?.querySelector(':scope > a'))]; }""",
            })["result"]["value"]
            if role == "DisclosureTriangle":
                control["expected"] = f"Pages in {chapter}" if chapter else None
            # A long name is wrong unless it is the text the control shows (a
            # web address written out in the references).
            control["own_text"] = own == control["name"]
        found.append(control)
    cdp.detach()
    return found


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_control_on_every_page_has_its_own_name(visit, sweep_paths, size):
    tab = visit(viewport=SIZES[size])
    problems, toggled = [], set()
    for path in sweep_paths:
        tab.open(path)
        for control in _controls(tab.page):
            name = control["name"]
            if not name:
                problems.append(f"{path}: a {control['role']} has no name")
            elif len(name) > LONGEST_NAME and not control.get("own_text"):
                problems.append(f"{path}: a {control['role']} is named {name[:100]!r}... ({len(name)} characters)")
            if "expected" in control:
                toggled.add(path)
                if name != control["expected"]:
                    problems.append(f"{path}: the toggle for {control['expected']!r} is named {name!r}")
    assert not problems, "\n".join(problems)
    if size == "desktop":
        # The menu opens only the reader's own chapter (conf.py's collapse_navbar), so
        # a toggle is expected on every page of a chapter with pages of its own.
        in_chapters = {path for path in sweep_paths if "/" in path}
        assert in_chapters and in_chapters <= toggled, (
            f"expected a named chapter toggle on these pages: {sorted(in_chapters - toggled)}")


# -- Dialogs and the colour mode -------------------------------------------------

@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_search_closes_with_escape_and_focus_returns(visit, size):
    tab = visit(viewport=SIZES[size])
    tab.open("index.html")
    page = tab.page
    button = ".search-button__button"
    _tab_to(page, f"e.matches('{button}')")
    page.keyboard.press("Enter")
    page.locator("#pst-search-dialog").wait_for(state="visible")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.press("Escape")
    page.locator("#pst-search-dialog").wait_for(state="hidden")
    _wait_for_focus(page, button)
    assert _focused(page)["ring"]
    # Ctrl+K from a link, and back to that link. (Tab reaches the link too, but
    # on a phone the search button follows it: the whole page lies between.)
    page.locator("a.handbook-link-help").focus()
    link = _focused(page)
    page.keyboard.press("Control+k")
    page.locator("#pst-search-dialog").wait_for(state="visible")
    page.keyboard.press("Escape")
    _wait_for_focus(page, "a.handbook-link-help")
    assert _focused(page)["text"] == link["text"]


def test_navigation_closes_with_escape_and_focus_returns_on_a_phone(visit):
    tab = visit(viewport=PHONE_390)
    tab.open("benefits/empathy.html")
    page = tab.page
    _tab_to(page, "e.matches('.bd-header-article .primary-toggle')")
    page.keyboard.press("Enter")
    dialog = page.locator("#pst-primary-sidebar-modal")
    dialog.wait_for(state="visible")
    assert page.locator("#pst-primary-sidebar-modal nav.bd-docs-nav a").first.is_visible()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    _wait_for_focus(page, ".primary-toggle")
    assert _focused(page)["ring"]


def test_sidebar_hides_and_shows_by_keyboard_on_a_desktop_keeping_focus(visit):
    tab = visit(viewport=DESKTOP)
    tab.open("index.html")
    page = tab.page
    _tab_to(page, "e.matches('.bd-header-article .primary-toggle')")
    sidebar = page.locator("#pst-primary-sidebar")
    for state in ("hidden", "visible"):
        page.keyboard.press("Enter")
        sidebar.wait_for(state=state)
        _wait_for_focus(page, ".primary-toggle")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_colour_mode_is_one_toggle_button_that_keeps_focus(visit, size):
    tab = visit(viewport=SIZES[size], color_scheme="light")
    tab.open("index.html")
    page = tab.page
    button = page.get_by_role("button", name="Dark mode")
    assert button.get_attribute("aria-pressed") == "false"
    _tab_to(page, "e.matches('.handbook-mode-toggle')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert button.get_attribute("aria-pressed") == "true"
    assert _focus_is(page, ".handbook-mode-toggle") and _focused(page)["ring"]
    page.keyboard.press("Space")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert button.get_attribute("aria-pressed") == "false"
    assert _focus_is(page, ".handbook-mode-toggle")


# -- Every chapter, with and without scripts ------------------------------------

def _chapters(tab: Visit) -> set[str]:
    """The chapters: the pages the start page's contents list, as addresses."""
    tab.open("index.html")
    return set(tab.page.evaluate(
        "[...document.querySelectorAll('article .toctree-wrapper a[href]')].map(a => a.href)"))


def _links_reached_by_tab(page, inside: str) -> set[str]:
    """The links inside ``inside`` that Tab stops on, pressed once for each
    thing on the page that can take focus (and a few more): enough to pass
    every link once, however long the page (a 30× book's contents page)."""
    reached = set()
    for _ in range(page.locator(FOCUSABLE).count() + 5):
        page.keyboard.press("Tab")
        href = page.evaluate(f"document.activeElement.closest('{inside}') && document.activeElement.href")
        if href:
            reached.add(href.split("#")[0])
    return reached


def _page_with_its_navigation(tab: Visit, size: str):
    """A page with the site navigation in view: on a phone, opened by keyboard."""
    tab.open("benefits/empathy.html")
    page = tab.page
    if size == "phone":
        _tab_to(page, "e.matches('.bd-header-article .primary-toggle')")
        page.keyboard.press("Enter")
        page.locator("#pst-primary-sidebar-modal").wait_for(state="visible")
    return page


def _through_the_contents(tab: Visit, size: str, reached: set[str], chapters: set[str],
                          scripts: bool = True) -> set[str]:
    """With the contents page's links too, in a book longer than the menu lists.

    Past ``handbook_nav_max_entries`` chapters (nav.py), a page's menu lists
    those around its own and "All chapters: the contents", which leads to
    the rest: followed here by keyboard, as a reader would.
    """
    contents = tab.page.locator("nav.bd-docs-nav .handbook-nav-contents a")
    if chapters <= reached or not contents.count():
        return reached
    assert contents.first.evaluate("a => a.href").split("#")[0] in reached
    if scripts:
        page = _page_with_its_navigation(tab, size)
    else:
        tab.open("benefits/empathy.html")
        page = tab.page
    _tab_to(page, "e.closest('nav.bd-docs-nav .handbook-nav-contents')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/index.html#*")
    return reached | _links_reached_by_tab(page, "article")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_chapter_is_reached_by_keyboard_from_a_page(visit, size):
    tab = visit(viewport=SIZES[size])
    chapters = _chapters(tab)
    assert len(chapters) >= 8
    page = _page_with_its_navigation(tab, size)
    reached = _links_reached_by_tab(page, "nav.bd-docs-nav")
    reached = _through_the_contents(tab, size, reached, chapters)
    assert chapters <= reached, f"not reached by Tab: {sorted(chapters - reached)}"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_chapter_is_reached_by_keyboard_without_javascript(visit, size):
    tab = visit(viewport=SIZES[size], java_script_enabled=False)
    chapters = _chapters(tab)
    tab.open("benefits/empathy.html")
    page = tab.page
    assert not page.locator(".bd-header-article .primary-toggle").is_visible(), \
        "a button that needs scripts is shown without them"
    if size == "phone":
        _tab_to(page, "e.matches('.handbook-contents-link')")
        page.keyboard.press("Enter")
        page.wait_for_url("**/index.html#*")
        reached = _links_reached_by_tab(page, "article")
    else:
        reached = _links_reached_by_tab(page, "nav.bd-docs-nav")
        reached = _through_the_contents(tab, size, reached, chapters, scripts=False)
    assert chapters <= reached, f"not reached by Tab without scripts: {sorted(chapters - reached)}"


# -- The chapters' toggles in the navigation --------------------------------------

TARGET = 24  # px, the least a target may be (WCAG 2.2, 2.5.8)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_chapter_toggles_are_targets_with_a_visible_focus(visit, size):
    """Each chapter's toggle is a box of its own, at least 24 px each way and
    44 px tall on a phone, and its focus ring is drawn round that box (the
    theme's summary was 0 px tall, so the ring drew nothing)."""
    tab = visit(viewport=SIZES[size])
    page = _page_with_its_navigation(tab, size)
    boxes = page.evaluate("""() => [...document.querySelectorAll('nav.bd-docs-nav li.has-children > details > summary')]
        .filter(s => s.checkVisibility()).map(s => { const b = s.getBoundingClientRect();
            return [s.getAttribute('aria-label'), Math.round(b.width), Math.round(b.height)]; })""")
    # The menu opens the reader's own chapter only (collapse_navbar): one toggle at least.
    assert boxes, "expected the reader's chapter to have a toggle in the navigation"
    least_height = 44 if size == "phone" else TARGET
    small = [box for box in boxes if box[1] < TARGET or box[2] < least_height]
    assert not small, f"toggles smaller than {TARGET}x{least_height} px: {small}"
    focused = _tab_to(page, "e.matches('nav.bd-docs-nav summary')")
    assert focused["ring"], focused


# -- Tab through a page ------------------------------------------------------------

@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("path", ["what-is-peer-support.html", "contributing/sources-and-glossary.html"])
def test_tab_reaches_every_control_with_a_visible_focus(visit, path, size, javascript):
    tab = visit(viewport=SIZES[size], java_script_enabled=javascript)
    tab.open(path)
    page = tab.page
    controls = page.evaluate("""(focusable) => [...document.querySelectorAll(focusable)]
        .filter(e => e.checkVisibility({visibilityProperty: true}) && !e.closest('[inert]'))
        .map((e, i) => { e.dataset.control = i; return i; })""", FOCUSABLE)
    reached, unringed = set(), []
    for _ in range(len(controls) + 20):
        page.keyboard.press("Tab")
        index = page.evaluate("document.activeElement.dataset.control")
        if index is not None:
            reached.add(int(index))
            if not _focused(page)["ring"]:
                unringed.append(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
    missed = page.evaluate(
        "(reached) => [...document.querySelectorAll('[data-control]')]"
        ".filter(e => !reached.includes(+e.dataset.control)).map(e => e.outerHTML.slice(0, 120))",
        sorted(reached),
    )
    assert not missed, f"{path}: not reachable by Tab:\n" + "\n".join(missed)
    assert not unringed, f"{path}: no visible focus on:\n" + "\n".join(unringed)
