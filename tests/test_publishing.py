"""Publishing: the site can be found and shared, and every format is released.

Checks what search engines, link previews and e-readers read: the sitemap,
robots.txt, the 404 page, canonical links, descriptions and og: tags, the
edition in the footer, the EPUB (with epubcheck, when it is installed) and
the release files `make dist` writes.
"""

import datetime as dt
import hashlib
import os
import re
import shutil
import struct
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from utils import DOCS, ROOT, SOURCE_DATE_EPOCH, SOURCES

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
EDITION_DATE = dt.datetime.fromtimestamp(SOURCE_DATE_EPOCH, tz=dt.timezone.utc)


@dataclass(frozen=True)
class Release:
    """The EPUB and the release files, built beside the session's book."""

    epub: Path
    dist: Path
    pdfs: Path  # the build's PDFs


def _description(doc: str) -> str:
    """The one-line description in a page's front matter."""
    text = (DOCS / f"{doc}.md").read_text("utf-8")
    return re.search(r"\A---\n.*?^description: (.*?)$.*?^---$", text, re.M | re.S)[1].strip()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def base(config) -> str:
    return config["html_baseurl"]


@pytest.fixture(scope="module")
def pages(book) -> dict[str, BeautifulSoup]:
    return {doc: BeautifulSoup((book.html / f"{doc}.html").read_text(), "html.parser")
            for doc in SOURCES}


@pytest.fixture(scope="module")
def release(book, config, tmp_path_factory) -> Release:
    """`make dist` from the session's build folder into a folder of its own
    (the build is shared: other tests read it meanwhile)."""
    dist = tmp_path_factory.mktemp("release") / "dist"
    # A release needs committed sources: a clean checkout stands in for this
    # one, which may have edits (tests/test_dist.py checks that refusal).
    clean = dist.with_name("clean-checkout")
    clean.mkdir()
    for command in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "clean"]):
        subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@localhost",
                        *command], cwd=clean, check=True)
    subprocess.run(
        ["make", "--no-print-directory", "-s", f"BUILDDIR={book.builddir}", f"DISTDIR={dist}",
         f"DIST_OPTS=--repo {clean}", "-o", str(ROOT / ".venv" / ".installed"), "dist"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)},
    )
    return Release(epub=book.builddir / "epub" / f"{config['epub_basename']}.epub", dist=dist,
                   pdfs=book.builddir / "pdf")


# -- Found by search engines ---------------------------------------------------

def test_sitemap_lists_every_page_at_the_base_url(book, base):
    tree = ElementTree.parse(book.html / "sitemap.xml")
    listed = [loc.text for loc in tree.findall("sm:url/sm:loc", SITEMAP_NS)]
    assert sorted(listed) == sorted(f"{base}{doc}.html" for doc in SOURCES)


def test_robots_txt_lets_crawlers_in_and_points_to_the_sitemap(book, base):
    lines = (book.html / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert not any(line.startswith("Disallow: /") for line in lines)
    assert f"Sitemap: {base}sitemap.xml" in lines


def test_every_page_has_its_canonical_address(pages, base):
    for doc, soup in pages.items():
        links = soup.select('link[rel="canonical"]')
        assert [link["href"] for link in links] == [f"{base}{doc}.html"], doc


def test_base_url_is_one_setting(config, base):
    assert base.endswith("/") and base.startswith("https://")
    assert config["ogp_site_url"] == base
    assert config["notfound_urls_prefix"] == re.sub(r"^https://[^/]+", "", base)


# -- The 404 page ------------------------------------------------------------------

def test_404_page_links_work_at_any_depth(book, config):
    soup = BeautifulSoup((book.html / "404.html").read_text(), "html.parser")
    prefix = config["notfound_urls_prefix"]
    urls = [url for tag in soup.select("[href], [src]")
            for url in (tag.get("href"), tag.get("src")) if url]
    local = [u for u in urls if not re.match(r"(https?:|mailto:|tel:|#)", u)]
    assert local, "the 404 page links nothing of the site's"
    relative = [u for u in local if not u.startswith(prefix)]
    assert not relative, relative
    stylesheets = [link["href"] for link in soup.select('link[rel="stylesheet"]')]
    assert stylesheets and all(href.startswith(prefix) for href in stylesheets)
    assert soup.find("a", href=f"{prefix}help-now.html"), "the 404 page offers no help link"


# -- Link previews ---------------------------------------------------------------------

def test_every_page_describes_itself_once_from_its_front_matter(pages):
    for doc, soup in pages.items():
        descriptions = soup.select('meta[name="description"]')
        assert [m["content"] for m in descriptions] == [_description(doc)], doc


def test_every_page_has_og_title_description_and_image(pages, base):
    for doc, soup in pages.items():
        og = {m["property"]: m["content"] for m in soup.select("meta[property^='og:']")}
        title = soup.select_one("main h1").get_text(strip=True).rstrip("#")
        assert og.get("og:title") == title, doc
        assert og.get("og:description") == _description(doc), doc
        assert og.get("og:url") == f"{base}{doc}.html", doc
        assert og.get("og:image") == f"{base}social-card.png", doc
        assert og.get("og:image:alt"), doc


def test_social_card_is_in_the_site_at_1200_by_630(book):
    assert _png_size(book.html / "social-card.png") == (1200, 630)


def test_every_page_has_a_favicon_from_the_site(book, pages):
    for doc, soup in pages.items():
        icons = [link["href"] for link in soup.select('link[rel="icon"]')]
        assert icons, doc
        target = (book.html / doc).parent / icons[0].split("?")[0]
        assert target.resolve().is_file(), (doc, icons[0])


def test_every_page_footer_names_the_edition(pages, config):
    edition = f"Edition {config['release']}, {EDITION_DATE:%-d %B %Y}"
    for doc, soup in pages.items():
        footer = soup.select_one("footer.bd-footer-content")
        assert footer and edition in footer.get_text(" ", strip=True), doc


# -- The EPUB ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def opf(release) -> ElementTree.Element:
    with zipfile.ZipFile(release.epub) as epub:
        return ElementTree.fromstring(epub.read("content.opf"))


def _epubcheck() -> list[str] | None:
    """The command that runs epubcheck, or None. Debian installs it as a jar."""
    found = shutil.which("epubcheck")
    if found is None:
        return None
    if Path(found).resolve().suffix == ".jar":
        return [shutil.which("java") or "java", "-jar", str(Path(found).resolve())]
    return [found]


def test_epub_passes_epubcheck(release):
    command = _epubcheck()
    if command is None:
        pytest.skip("epubcheck is not installed: sudo apt-get install epubcheck (Debian and Ubuntu)")
    result = subprocess.run([*command, str(release.epub)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors / 0 warnings" in result.stdout, result.stdout


def test_epub_has_every_chapter_in_reading_order(release, opf):
    items = opf.findall("opf:manifest/opf:item", OPF_NS)
    manifest = {item.get("id"): item.get("href") for item in items}
    spine = [manifest[ref.get("idref")] for ref in opf.findall("opf:spine/opf:itemref", OPF_NS)]
    missing = [doc for doc in SOURCES if f"{doc}.xhtml" not in spine]
    assert not missing
    assert spine[:2] == ["epub-cover.xhtml", "index.xhtml"]
    with zipfile.ZipFile(release.epub) as epub:
        nav = BeautifulSoup(epub.read("nav.xhtml"), "html.parser")
    in_nav = {a["href"].split("#")[0] for a in nav.select("nav a[href]")}
    assert not [doc for doc in SOURCES if f"{doc}.xhtml" not in in_nav]


def test_epub_metadata_is_the_books(release, opf, config):
    meta = opf.find("opf:metadata", OPF_NS)
    text = {tag: meta.findtext(f"dc:{tag}", namespaces=OPF_NS) for tag in
            ("title", "creator", "publisher", "rights", "language", "identifier", "date")}
    assert text == {
        "title": config["project"],
        "creator": config["author"],
        "publisher": config["author"],
        "rights": config["copyright"],
        "language": "en-GB",
        "identifier": config["epub_identifier"],
        "date": EDITION_DATE.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"


def test_epub_has_its_cover(release, opf):
    cover_id = opf.find("opf:metadata/opf:meta[@name='cover']", OPF_NS).get("content")
    cover = opf.find(f"opf:manifest/opf:item[@id='{cover_id}']", OPF_NS).get("href")
    with zipfile.ZipFile(release.epub) as epub:
        data = epub.read(cover)
        page = BeautifulSoup(epub.read("epub-cover.xhtml"), "html.parser")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.img["src"] == cover and page.img["alt"]


# -- Release files -------------------------------------------------------------------------

def test_dist_has_the_files_named_with_the_edition(release, config):
    book = Path(config["pdf_filename"]).stem
    name = f"{book}-{config['release']}"
    large_print = release.pdfs / f"{book}-large-print.pdf"
    assert sorted(p.name for p in release.dist.iterdir()) == sorted([
        f"{name}-website.zip", f"{name}.pdf", f"{name}.epub", f"{name}-SHA256SUMS",
        *([f"{name}-large-print.pdf"] if large_print.exists() else []),
    ])
    built_pdf = release.pdfs / config["pdf_filename"]
    assert (release.dist / f"{name}.pdf").read_bytes() == built_pdf.read_bytes()
    assert (release.dist / f"{name}.epub").read_bytes() == release.epub.read_bytes()


def test_checksums_verify(release):
    sums = next(release.dist.glob("*-SHA256SUMS"))
    lines = sums.read_text().splitlines()
    assert len(lines) == len(list(release.dist.iterdir())) - 1
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((release.dist / name).read_bytes()).hexdigest() == digest, name
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", sums.name],
                       cwd=release.dist, check=True)


def test_zips_are_sorted_and_dated_with_the_edition(release, config):
    website = next(release.dist.glob("*-website.zip"))
    with zipfile.ZipFile(website) as archive:
        names = archive.namelist()
        dates = {info.date_time for info in archive.infolist()}
    folder = website.name.removesuffix("-website.zip")
    assert names == sorted(names) and all(n.startswith(folder + "/") for n in names)
    assert {f"{folder}/{doc}.html" for doc in SOURCES} <= set(names)
    assert dates == {EDITION_DATE.timetuple()[:6]}
    with zipfile.ZipFile(release.epub) as epub:
        assert epub.namelist()[0] == "mimetype"
        assert epub.infolist()[0].compress_type == zipfile.ZIP_STORED
        assert {info.date_time for info in epub.infolist()} == {EDITION_DATE.timetuple()[:6]}
