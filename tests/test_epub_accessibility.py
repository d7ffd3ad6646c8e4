"""The EPUB, checked by Ace by DAISY, the reference accessibility checker for
EPUB, and read for the EPUB Accessibility 1.1 parts that Ace does not judge.

Ace (npm ``@daisy/ace-cli``, pinned in package.json; ``make test`` installs
it) opens each page of the built EPUB in Chromium and runs axe-core and its
own EPUB checks. Any violation, of any impact, fails the test.
"""

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from utils import ROOT

from handbook.tools.browser import CHROMIUM

ACE = ROOT / "node_modules" / ".bin" / "ace-cli"


@pytest.fixture(scope="module")
def epub(book, config) -> Path:
    path = book.builddir / "epub" / f"{config['epub_basename']}.epub"
    assert path.is_file(), "make html builds the EPUB too"
    return path


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


def test_epub_passes_ace(epub, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Ace needs Chromium: sudo apt-get install chromium")
    if shutil.which("node") is None or not ACE.exists():
        pytest.skip("Ace needs Node.js and npm @daisy/ace-cli: install Node.js, then run `make test` "
                    "(it runs npm ci), or `PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts`")
    result = subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(tmp_path / "ace"), str(epub)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM},
    )
    report_file = tmp_path / "ace" / "report.json"
    assert report_file.is_file(), f"Ace wrote no report:\n{result.stdout}\n{result.stderr}"
    report = json.loads(report_file.read_text(encoding="utf-8"))
    violations = ace_violations(report)
    assert not violations, f"Ace found {len(violations)} violations:\n" + "\n".join(violations)
    assert report["earl:result"]["earl:outcome"] == "pass"


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


def test_navigation_has_a_toc_role_and_landmarks(epub):
    nav = BeautifulSoup(_read(epub, "nav.xhtml"), "html.parser")
    toc = nav.find("nav", attrs={"epub:type": "toc"})
    assert toc is not None and toc.get("role") == "doc-toc"
    landmarks = nav.find("nav", attrs={"epub:type": "landmarks"})
    assert landmarks is not None
    kinds = {a["epub:type"]: a["href"] for a in landmarks.find_all("a")}
    assert kinds == {"cover": "epub-cover.xhtml", "bodymatter": "index.xhtml"}
