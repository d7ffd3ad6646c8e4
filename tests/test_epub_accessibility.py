"""The EPUB, checked by Ace by DAISY, the reference accessibility checker for
EPUB, and read for the EPUB Accessibility 1.1 parts that Ace does not judge.

Ace (npm ``@daisy/ace-cli``, pinned in package.json; ``make test`` installs
it) opens each page of the built EPUB in Chromium and runs axe-core and its
own EPUB checks. Any violation, of any impact, fails the test.

Ace takes most of a second a page, so a book of more than SWEEP_PAGES pages
is checked as an EPUB cut down to a sample of them (`sample_epub`), picked as
the browser sweeps pick theirs (site_in_browser.sweep): its start page, help
page and cover, a page of each kind, and others spread through the book. Its
whole-book checks (the metadata, the contents in reading order) then judge
the sample; HANDBOOK_SWEEP_PAGES=0 checks every page (the weekly CI run).
"""

import json
import os
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from site_in_browser import SWEEP_PAGES, help_page, sweep

from utils import ROOT

from handbook.tools.browser import CHROMIUM

ACE = ROOT / "node_modules" / ".bin" / "ace-cli"


@pytest.fixture(scope="module")
def epub(book, config) -> Path:
    path = book.builddir / "epub" / f"{config['epub_basename']}.epub"
    assert path.is_file(), "make html builds the EPUB too"
    return path


OPF = "http://www.idpf.org/2007/opf"
XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
ElementTree.register_namespace("dc", "http://purl.org/dc/elements/1.1/")
ElementTree.register_namespace("epub", OPS)


def _package(book: zipfile.ZipFile) -> tuple[ElementTree.Element, dict[str, ElementTree.Element], list[str]]:
    """An EPUB's package document, its manifest's items by id, and its
    spine: the pages in reading order, by name."""
    opf = ElementTree.fromstring(book.read("content.opf"))
    items = {item.get("id"): item for item in opf.iter(f"{{{OPF}}}item")}
    return opf, items, [items[ref.get("idref")].get("href") for ref in opf.iter(f"{{{OPF}}}itemref")]


def sample_epub(epub: Path, folder: Path, always: tuple[str, ...] = (),
                most: int = SWEEP_PAGES) -> tuple[Path, int, int]:
    """The EPUB cut down (`cut_epub`) to the pages a sweep opens
    (site_in_browser.sweep, with ``always`` kept), written into folder, as
    (path, pages kept, pages in all). A book of up to ``most`` pages comes
    back as it is."""
    with zipfile.ZipFile(epub) as book:
        spine = _package(book)[2]
        book.extractall(folder / "pages", members=spine)
    kept = sweep(folder / "pages", spine, most=most, always=always)
    if len(kept) == len(spine):
        return epub, len(spine), len(spine)
    return cut_epub(epub, set(kept), folder / epub.name), len(kept), len(spine)


def cut_epub(epub: Path, kept: set[str], cut: Path) -> Path:
    """The EPUB with only the pages named in kept, written to cut. Its spine
    and manifest hold those pages only, and so does its table of contents, in
    the same order: a heading whose page was cut but whose sub-pages were
    kept stays as a label (a span), as EPUB's nav allows. Everything else
    (metadata, styles, pictures, landmarks) is unchanged."""
    with zipfile.ZipFile(epub) as book, zipfile.ZipFile(cut, "w") as out:
        opf, items, spine = _package(book)
        manifest, spine_element = opf.find(f"{{{OPF}}}manifest"), opf.find(f"{{{OPF}}}spine")
        for ref in list(spine_element):
            if items[ref.get("idref")].get("href") not in kept:
                spine_element.remove(ref)
                manifest.remove(items[ref.get("idref")])
        nav = next(item.get("href") for item in items.values() if "nav" in item.get("properties", "").split())
        for name in book.namelist():
            if name in spine and name not in kept:
                continue
            data = book.read(name)
            if name == "content.opf":
                data = _xml(opf, OPF)
            elif name == nav:
                data = _cut_nav(data, kept)
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            out.writestr(book.getinfo(name), data, compress_type=compress)
    return cut


def _cut_nav(nav: bytes, kept: set[str]) -> bytes:
    """The nav document's table of contents without the entries of pages
    that are not kept; an entry with kept entries under it keeps its label."""
    root = ElementTree.fromstring(nav)
    toc = next(n for n in root.iter(f"{{{XHTML}}}nav") if n.get(f"{{{OPS}}}type") == "toc")

    def prune(ol: ElementTree.Element) -> bool:
        for li in list(ol):
            link, below = li.find(f"{{{XHTML}}}a"), li.find(f"{{{XHTML}}}ol")
            keeps_below = below is not None and prune(below)
            if below is not None and not keeps_below:
                li.remove(below)
            if link is not None and link.get("href").partition("#")[0] not in kept:
                if keeps_below:
                    link.tag, link.attrib = f"{{{XHTML}}}span", {}
                else:
                    ol.remove(li)
        return len(ol) > 0

    prune(toc.find(f"{{{XHTML}}}ol"))
    return _xml(root, XHTML)


def _xml(root: ElementTree.Element, namespace: str) -> bytes:
    """The document, written with its own namespace as the default one
    (ElementTree keeps one default namespace at a time, for all documents)."""
    ElementTree.register_namespace("", namespace)
    return ElementTree.tostring(root, "utf-8", xml_declaration=True)


def ace_violations(report: dict) -> list[str]:
    """Ace's report.json as one line per violation: file, rule, impact, where."""
    lines = []
    for document in report.get("assertions", []):
        url = document["earl:testSubject"]["url"]
        for finding in document.get("assertions", []):
            test, result = finding["earl:test"], finding["earl:result"]
            where = ", ".join(result.get("earl:pointer", {}).get("css", []))
            lines.append(
                f"{url}: {test['dct:title']} ({test['earl:impact']}): "
                f"{' '.join(result.get('dct:description', '').split())}" + (f" at {where}" if where else "")
            )
    return lines


@pytest.fixture(scope="module")
def ace_epub(epub, book, tmp_path_factory) -> Path:
    """The EPUB Ace checks: the whole book, or a sample (see the docstring)."""
    always = ("epub-cover.xhtml", "index.xhtml", help_page(book.html).removesuffix(".html") + ".xhtml")
    path, kept, pages = sample_epub(epub, tmp_path_factory.mktemp("ace-sample"), always)
    if kept < pages:
        warnings.warn(f"Ace checks {kept} of the EPUB's {pages} pages: one of each kind, and others "
                      f"spread through the book (HANDBOOK_SWEEP_PAGES={SWEEP_PAGES}; 0 checks every page)",
                      stacklevel=1)
    return path


def ace(epub: Path, folder: Path) -> dict:
    """Ace's report on the EPUB (its report.json), written into folder."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Ace needs Chromium: sudo apt-get install chromium")
    if shutil.which("node") is None or not ACE.exists():
        pytest.skip("Ace needs Node.js and npm @daisy/ace-cli: install Node.js, then run `make test` "
                    "(it runs npm ci), or `PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts`")
    result = subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(folder), str(epub)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    report_file = folder / "report.json"
    assert report_file.is_file(), f"Ace wrote no report:\n{result.stdout}\n{result.stderr}"
    return json.loads(report_file.read_text(encoding="utf-8"))


def test_epub_passes_ace(ace_epub, tmp_path):
    report = ace(ace_epub, tmp_path / "ace")
    violations = ace_violations(report)
    assert not violations, f"Ace found {len(violations)} violations:\n" + "\n".join(violations)
    assert report["earl:result"]["earl:outcome"] == "pass"


# A cut of the handbook's own EPUB: a chapter's sub-page kept without the
# chapter's own page, whose heading stays in the contents as a label.
CUT = {"epub-cover.xhtml", "index.xhtml", "help-now.xhtml", "benefits/stigma.xhtml"}


def _toc_links(epub: Path) -> list[str]:
    nav = BeautifulSoup(_read(epub, "nav.xhtml"), "html.parser").find("nav", attrs={"epub:type": "toc"})
    return [a["href"] for a in nav.find_all("a")]


def test_a_cut_epub_holds_only_its_pages_in_reading_order(epub, tmp_path):
    cut = cut_epub(epub, CUT, tmp_path / "cut.epub")
    with zipfile.ZipFile(epub) as whole, zipfile.ZipFile(cut) as part:
        spine, cut_spine = _package(whole)[2], _package(part)[2]
        assert part.namelist()[0] == "mimetype"
        assert part.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert set(part.namelist()) == set(whole.namelist()) - (set(spine) - CUT)
        manifest = {item.get("href") for item in _package(part)[1].values()}
    assert cut_spine == [name for name in spine if name in CUT]
    assert not (set(spine) - CUT) & manifest
    assert _toc_links(cut) == [h for h in _toc_links(epub) if h.partition("#")[0] in CUT]
    label = BeautifulSoup(_read(cut, "nav.xhtml"), "html.parser").find(
        "a", href="benefits/stigma.xhtml").find_parent("ol").find_parent("li")
    assert label.find("span", recursive=False).get_text() == "What groups can offer"


def test_a_cut_epub_passes_ace_as_the_whole_one_does(epub, tmp_path):
    """The cut itself adds no violation: Ace's whole-book checks, such as the
    contents following the reading order, hold on the cut too."""
    violations = ace_violations(ace(cut_epub(epub, CUT, tmp_path / "cut.epub"), tmp_path / "ace"))
    assert not violations, f"Ace found {len(violations)} violations in the cut:\n" + "\n".join(violations)


def test_a_book_of_up_to_the_sample_size_is_checked_whole(epub, tmp_path):
    with zipfile.ZipFile(epub) as book:
        pages = len(_package(book)[2])
    assert sample_epub(epub, tmp_path, most=pages) == (epub, pages, pages)
    assert sample_epub(epub, tmp_path, most=0) == (epub, pages, pages)


def test_ace_report_lines_name_file_rule_and_place():
    report = {"assertions": [{
        "earl:testSubject": {"url": "index.xhtml"},
        "assertions": [{
            "earl:test": {"dct:title": "html-has-lang", "earl:impact": "serious"},
            "earl:result": {"dct:description": "No lang", "earl:pointer": {"css": ["html"]}},
        }],
    }]}
    assert ace_violations(report) == ["index.xhtml: html-has-lang (serious): No lang at html"]


def _read(epub: Path, name: str) -> str:
    with zipfile.ZipFile(epub) as book:
        return book.read(name).decode("utf-8")


def test_every_page_says_its_language(epub, config):
    with zipfile.ZipFile(epub) as book:
        pages = [n for n in book.namelist() if n.endswith(".xhtml")]
    assert len(pages) > 10
    for name in pages:
        html = BeautifulSoup(_read(epub, name), "html.parser").html
        assert html.get("lang") == html.get("xml:lang") == config["epub_language"], name


def test_epub_declares_its_accessibility(epub, config):
    opf = ElementTree.fromstring(_read(epub, "content.opf"))
    found: dict[str, list[str]] = {}
    for meta in opf.iter("{http://www.idpf.org/2007/opf}meta"):
        if "property" in meta.attrib:
            found.setdefault(meta.get("property"), []).append(meta.text)
    for name in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                 "schema:accessibilityHazard", "a11y:certifiedBy"):
        assert found.get(name), f"content.opf has no {name}"
    assert found["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert found["schema:accessibilitySummary"] == [" ".join(config["handbook_epub_accessibility_summary"].split())]


def test_an_empty_accessibility_summary_is_named_at_its_line_in_conf_py(tmp_path):
    result = subprocess.run(
        [ROOT / ".venv/bin/sphinx-build", "-q", "-W", "-b", "epub", "-c", str(ROOT),
         "-D", "handbook_epub_accessibility_summary= ", "-d", str(tmp_path / "doctrees"),
         str(ROOT / "tests/roots/test-small-book"), str(tmp_path / "epub")],
        cwd=ROOT, capture_output=True, text=True,
    )
    line = next(n for n, text in enumerate((ROOT / "conf.py").read_text("utf-8").splitlines(), 1)
                if text.startswith("handbook_epub_accessibility_summary ="))
    assert result.returncode != 0
    assert re.search(rf"^conf\.py:{line}: WARNING: handbook_epub_accessibility_summary is empty",
                     result.stderr, re.M), result.stderr
    assert "set it in conf.py" in result.stderr and "Traceback" not in result.stderr


def test_navigation_has_a_toc_role_and_landmarks(epub):
    nav = BeautifulSoup(_read(epub, "nav.xhtml"), "html.parser")
    toc = nav.find("nav", attrs={"epub:type": "toc"})
    assert toc is not None and toc.get("role") == "doc-toc"
    landmarks = nav.find("nav", attrs={"epub:type": "landmarks"})
    assert landmarks is not None
    kinds = {a["epub:type"]: a["href"] for a in landmarks.find_all("a")}
    assert kinds == {"cover": "epub-cover.xhtml", "bodymatter": "index.xhtml"}
