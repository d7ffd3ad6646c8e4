"""The website's weight and privacy, read from the built files (no browser).

A first visit to any page fetches the page, what it links (stylesheets,
scripts, pictures, the icon) and the fonts its stylesheets name. This
counts them, gzipped as a web server sends them, against a loose budget
that catches a return to the stock theme (some 670 KB and 17 requests);
`make bench` measures the real thing, strictly, in a browser.
"""

import base64
import gzip
import hashlib
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from utils import build_in_process

from handbook.shared import site_pages

BUDGET_BYTES = 300_000  # gzipped, per first visit to a page (make bench: 150 KB)
BUDGET_REQUESTS = 12  # fewer than this
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.DOTALL)


@pytest.fixture(scope="module")
def pages(book) -> dict[Path, str]:
    found = {page: page.read_text(encoding="utf-8") for page in site_pages(book.html)}
    assert len(found) > 3
    return found


def _local(page: Path, ref: str, html: Path) -> Path | None:
    """The file a page's reference leads to, if it is one of the site's."""
    if re.match(r"(?i)([a-z][a-z0-9+.-]*:|//)", ref) or ref.startswith("#"):
        return None
    site_url = "http://site/"
    page_url = urljoin(site_url, page.relative_to(html).as_posix())
    path = urlparse(urljoin(page_url, ref)).path
    # The 404 page links from the site's published folder (say /handbook/).
    for start in range(path.count("/") + 1):
        candidate = html / "/".join(path.split("/")[start + 1:])
        if candidate.is_file():
            return candidate
    return None


def first_visit(page: Path, text: str, html: Path) -> list[Path]:
    """The files a browser fetches to show the page the first time."""
    head_refs = re.findall(r"""<link\b[^>]*\brel="(?:stylesheet|icon)"[^>]*\bhref="([^"]+)\"""", text)
    head_refs += re.findall(r"""<script\b[^>]*\bsrc="([^"]+)\"""", text)
    head_refs += re.findall(r"""<img\b[^>]*\bsrc="([^"]+)\"""", text)
    files = [page]
    for ref in head_refs:
        target = _local(page, ref, html)
        assert target is not None or not _is_other_host(ref), f"{page.name} loads {ref}"
        if target is not None:
            files.append(target)
    for sheet in [f for f in files if f.suffix == ".css"]:
        css = sheet.read_text(encoding="utf-8")
        for ref in re.findall(r"""url\(\s*["']?([^"')]+)["']?\s*\)""", css):
            if ref.startswith("data:"):
                continue
            target = (sheet.parent / ref.split("?")[0].split("#")[0]).resolve()
            if target.is_file():
                files.append(target)
    return list(dict.fromkeys(files))


def _is_other_host(ref: str) -> bool:
    return re.match(r"(?i)(https?:)?//", ref) is not None


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def test_every_first_visit_is_within_the_budget(book, pages):
    over = []
    for page, text in pages.items():
        files = first_visit(page, text, book.html)
        size = sum(gzipped(f) for f in files)
        if size > BUDGET_BYTES or len(files) >= BUDGET_REQUESTS:
            over.append(f"{page.relative_to(book.html)}: {len(files)} files, {size:,} bytes gzipped")
    assert not over, "\n".join(over)


def test_the_budget_catches_the_stock_themes_icon_script(book, pages):
    """A page that also loaded fontawesome.js, as the stock theme's do, is over."""
    import pydata_sphinx_theme

    icons = Path(pydata_sphinx_theme.__file__).parent.joinpath(
        "theme", "pydata_sphinx_theme", "static", "scripts", "fontawesome.js")
    page = book.html / "index.html"
    files = [*first_visit(page, pages[page], book.html), icons]
    assert sum(gzipped(f) for f in files) > BUDGET_BYTES


def test_nothing_unused_is_published(book, pages):
    """No source maps, and every file in _static is used by some page."""
    maps = [p.relative_to(book.html).as_posix() for p in book.html.rglob("*.map")]
    assert not maps
    used = {f for page, text in pages.items() for f in first_visit(page, text, book.html)}
    used |= {f for page, text in pages.items() for ref in re.findall(r'\ssrc="([^"]+)"', text)
             if (f := _local(page, ref, book.html))}
    unused = sorted(
        p.relative_to(book.html).as_posix() for p in (book.html / "_static").rglob("*")
        if p.is_file() and p.resolve() not in {u.resolve() for u in used}
    )
    assert not unused, unused
    for path in (book.html / "_static").rglob("*.[jc]s*"):
        assert "sourceMappingURL" not in path.read_text(encoding="utf-8"), path


# -- Privacy, in every page's markup ----------------------------------------

def _policy(text: str) -> dict[str, list[str]]:
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert match, "no Content-Security-Policy"
    return {d.split()[0]: d.split()[1:] for d in match.group(1).split(";") if d.strip()}


def test_every_page_allows_only_its_own_site_and_its_own_inline_scripts(pages):
    for page, text in pages.items():
        policy = _policy(text)
        assert policy["default-src"] == ["'none'"], page
        for directive, sources in policy.items():
            assert not [s for s in sources if s not in ("'self'", "'none'", "data:", "'unsafe-hashes'")
                        and not s.startswith("'sha256-")], f"{page.name}: {directive} {sources}"
        hashes = {
            "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in INLINE_SCRIPT.findall(text)
        }
        assert hashes and hashes <= set(policy["script-src"]), page.name
        # The policy comes before anything it governs.
        assert text.index("Content-Security-Policy") < text.index("<script"), page.name


def test_the_policy_check_catches_an_unhashed_inline_script(pages):
    page, text = next(iter(pages.items()))
    planted = text.replace("</body>", "<script>alert(1)</script></body>")
    with pytest.raises(AssertionError):
        test_every_page_allows_only_its_own_site_and_its_own_inline_scripts({page: planted})


def test_every_page_sends_no_referrer_and_opens_external_links_safely(pages):
    for page, text in pages.items():
        assert '<meta name="referrer" content="no-referrer" />' in text, page.name
        for tag in re.findall(r"<a\s[^>]*>", text):
            href = re.search(r'\shref="([^"]*)"', tag)
            if href and _is_other_host(href.group(1)):
                rel = (re.search(r'\srel="([^"]*)"', tag) or [None, ""])[1].split()
                assert {"noopener", "noreferrer"} <= set(rel), f"{page.name}: {tag}"


def test_a_page_that_would_load_mathjax_from_its_cdn_stops_the_build(make_app, tmp_path):
    """Sphinx gives a page with a formula MathJax from a CDN; the build refuses."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.md").write_text("# Sizes\n\nThe effect is {math}`d = 0.2`.\n")
    (tmp_path / "src" / "references.bib").write_text("")
    built = build_in_process(make_app, tmp_path / "src", tmp_path / "in", "html")
    assert built.status != 0
    assert "from another host" in built.warnings and "mathjax" in built.warnings.lower()
