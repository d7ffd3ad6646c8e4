"""Internal links lead somewhere: in the website, in the PDF, in the repository's Markdown.

``handbook.tools.links`` checks them offline, in seconds (web addresses are the
online link checker's). The real build must have no broken link; small
fixtures prove that each check fails when it should, and that each failure
names the page, the source file and line, and the target.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from utils import ROOT, ROOTS, only_failure as _only, render_small_book as _render, sphinx_build

from handbook.tools import links
from handbook.tools.links import (
    NOT_IN_SOURCES,
    check_build,
    check_markdown,
    check_pdf,
    check_site,
    external_urls,
    github_slug,
    main,
)

# -- The real build ------------------------------------------------------------

def test_the_website_has_no_broken_internal_link(book):
    report = check_site(book.html)
    assert report.checked > 100
    assert not report.failures, str(report)


def test_the_pdf_has_no_broken_link_and_its_web_links_are_on_the_website(book):
    report = check_pdf(book.pdf, external_urls(book.html), book.pdf.parent / "index.html")
    assert report.checked > 0
    assert not report.notes  # every part of the check ran
    assert not report.failures, str(report)


def test_the_repository_markdown_has_no_broken_link():
    report = check_markdown(ROOT)
    assert not report.failures, str(report)


def test_the_whole_check_runs_on_the_build(book):
    # How long it takes is make bench's (SCALE=N times both checks), not a test's.
    reports = check_build(book.builddir)
    assert [r.name for r in reports] == ["website", "PDF", "Markdown"]
    assert all(r.checked for r in reports[:2]), [str(r) for r in reports]


# -- The website: a MyST project whose raw HTML Sphinx does not check ----------

@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    """tests/roots/links-broken built as `make html` builds it (the PDF copied in)."""
    out = tmp_path_factory.mktemp("links-broken")
    result = sphinx_build(ROOTS / "links-broken", out)
    assert result.returncode == 0, result.stderr  # Sphinx lets all of them through
    for pdf in ("peer-support-handbook.pdf", "peer-support-handbook-large-print.pdf"):
        (out / pdf).write_bytes(b"%PDF-1.7\n")  # as the Makefile copies them
    (out / "peer-support-handbook.epub").write_bytes(b"PK\x03\x04")  # and the EPUB
    return out


def test_site_check_reports_only_the_links_that_are_broken(broken_site):
    report = check_site(broken_site, ROOTS / "links-broken")
    targets = {failure.target for failure in report.failures}
    assert targets == {"missing-page.html", "other.html#no-such-anchor", "missing-picture.png"}


def test_raw_html_link_to_a_missing_page_names_page_source_line_and_target(broken_site):
    failure = _only(check_site(broken_site, ROOTS / "links-broken"), "missing-page.html")
    assert failure.where == "index.html"
    assert failure.source == "tests/roots/links-broken/index.md:12"
    assert "no such file" in failure.problem
    assert str(failure).startswith("index.html: missing-page.html: ")
    assert str(failure).endswith("(source: tests/roots/links-broken/index.md:12)")


def test_raw_html_link_to_a_missing_anchor_is_reported(broken_site):
    failure = _only(check_site(broken_site, ROOTS / "links-broken"), "other.html#no-such-anchor")
    assert failure.where == "index.html"
    assert failure.source == "tests/roots/links-broken/index.md:14"
    assert "no id 'no-such-anchor' in other.html" in str(failure)


def test_broken_image_src_is_reported(broken_site):
    failure = _only(check_site(broken_site, ROOTS / "links-broken"), "missing-picture.png")
    assert failure.source == "tests/roots/links-broken/index.md:16"


# -- The website: hand-written pages, for what Sphinx would refuse to build ---

def _site(tmp_path: Path, pages: dict[str, str], sources: dict[str, str] | None = None):
    """Write built pages into html/ and their sources into docs/; return both folders."""
    for folder, files in (("html", pages), ("docs", sources or {})):
        for name, text in files.items():
            (tmp_path / folder / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / name).write_text(text)
    (tmp_path / "docs").mkdir(exist_ok=True)
    return tmp_path / "html", tmp_path / "docs"


def test_broken_myst_link_is_found_on_its_source_line(tmp_path):
    built = '<p><a href="missing-page.html">x</a> <a href="#no-such-anchor">y</a></p>'
    source = "# About\n\nSee [the page](missing-page.md).\n\nJump [there](#no-such-anchor).\n"
    html, docs = _site(tmp_path, {"guide/about.html": built}, {"guide/about.md": source})
    report = check_site(html, docs)
    page = _only(report, "missing-page.html")
    assert (page.where, page.source) == ("guide/about.html", f"{docs}/guide/about.md:3")
    anchor = _only(report, "#no-such-anchor")
    assert (anchor.where, anchor.source) == ("guide/about.html", f"{docs}/guide/about.md:5")
    assert "no id 'no-such-anchor' in guide/about.html" in anchor.problem


def test_broken_link_from_the_theme_says_theme_or_template(tmp_path):
    html, docs = _site(
        tmp_path,
        {"about.html": '<link rel="stylesheet" href="_static/gone.css"><p>Hello</p>',
         "genindex.html": '<a href="nowhere.html">x</a>'},
        {"about.md": "# About\n\nHello\n"},
    )
    report = check_site(html, docs)
    assert _only(report, "_static/gone.css").source == NOT_IN_SOURCES
    assert _only(report, "nowhere.html").source == NOT_IN_SOURCES  # no source at all
    assert str(_only(report, "nowhere.html")) == (
        "genindex.html: nowhere.html: no such file in the built site (source: (theme or template))"
    )


def test_links_that_work_are_not_reported(tmp_path):
    page = """
    <a name="old-anchor"></a><h1 id="top-heading">Top</h1>
    <a href="">same page</a> <a href="#">top</a> <a href="#old-anchor">name</a>
    <a href="sub/">folder</a> <a href="sub">folder</a> <a href="sub/index.html?x=1#part">query</a>
    <a href="sub/caf%C3%A9.html#r%C3%A9sum%C3%A9">escaped</a> <a href="book.pdf#page=2">pdf</a>
    <a href="mailto:a@example.org">m</a> <a href="tel:111">t</a> <a href="javascript:void(0)">j</a>
    <a href="https://example.org/x">web</a> <a href="//cdn.example.org/x.js">web</a>
    <img src="data:image/png;base64,AAAA" alt=""> <img srcset="a.png 1x, b.png 2x" alt="">
    <form action="index.html"></form> <script src="s.js"></script>
    <link rel="stylesheet" href="s.css">
    """
    html, docs = _site(tmp_path, {
        "index.html": page, "sub/index.html": '<p id="part">x</p>',
        "sub/café.html": '<p id="résumé">x</p>', "book.pdf": "", "a.png": "", "b.png": "",
        "s.js": "", "s.css": "body { background: url('a.png') } svg { filter: url(#f) }",
    })
    report = check_site(html, docs)
    assert report.checked >= 20
    assert not report.failures, str(report)


def test_links_that_leave_the_site_are_reported(tmp_path):
    html, docs = _site(tmp_path, {
        "sub/page.html": '<a href="../../outside.html">a</a> <a href="file:///etc/hosts">b</a>'
                         ' <a href="/page.html">c</a> <img srcset="ok.png 1x, gone.png 2x" alt="">'
                         ' <img src="/sub/ok.png" alt="">',  # no canonical link: / is the site's
        "sub/ok.png": "", "_static/s.css": '@font-face { src: url("../fonts/gone.woff2") }',
    })
    report = check_site(html, docs)
    assert "outside" in _only(report, "../../outside.html").problem
    assert "file:" in _only(report, "file:///etc/hosts").problem
    assert "no such file" in _only(report, "/page.html").problem
    assert _only(report, "gone.png").where == "sub/page.html"
    assert _only(report, "../fonts/gone.woff2").where == "_static/s.css"
    assert len(report.failures) == 5


def test_a_broken_target_is_checked_once_and_reported_on_every_page(tmp_path, monkeypatch):
    # As the navigation does: every page links to the same pages, from its own folder.
    nav = '<a href="{up}index.html">start</a> <a href="{up}gone.html#x">gone</a>'
    html, docs = _site(tmp_path, {
        "index.html": nav.format(up="") + '<a href="index.html">again</a>',
        "a.html": nav.format(up=""), "sub/b.html": nav.format(up="../"),
        "sub/c.html": nav.format(up="../"),
    })
    checked = []
    real = links.site._target_problem
    monkeypatch.setattr(links.site, "_target_problem",
                        lambda root, target, fragment: checked.append(target) or real(
                            root, target, fragment))
    report = check_site(html, docs)
    assert sorted(checked) == [html / "gone.html", html / "index.html"]
    assert report.checked == 8  # each page's links are still counted
    gone = [(f.where, f.target) for f in report.failures]
    assert gone == [("a.html", "gone.html#x"), ("index.html", "gone.html#x"),
                    ("sub/b.html", "../gone.html#x"), ("sub/c.html", "../gone.html#x")]


def test_links_by_the_sites_own_address_are_checked_as_files(tmp_path):
    base = "https://example.org/book/"
    html, docs = _site(tmp_path, {
        "index.html": f'<link rel="canonical" href="{base}index.html">'
                      f'<meta property="og:image" content="{base}card.png">',
        "404.html": '<a href="/book/index.html">start</a> <a href="/index.html">root</a>',
        "sitemap.xml": f"<urlset><url><loc>{base}index.html</loc></url>"
                       f"<url><loc>{base}gone.html</loc></url></urlset>",
    })
    report = check_site(html, docs)
    targets = {f.target for f in report.failures}
    assert targets == {f"{base}card.png", "/index.html", f"{base}gone.html"}
    assert "published at /book/" in _only(report, "/index.html").problem


# -- The repository's Markdown -------------------------------------------------

def test_markdown_broken_relative_link_and_anchor_are_reported(tmp_path):
    (tmp_path / "README.md").write_text(
        "# Project\n"
        "\n"
        "## Set it up, now!\n"
        "\n"
        "Read [the guide](GUIDE.md), [this part](#set-it-up-now) and [that](GUIDE.md#part-two).\n"
        "Read [a lost file](MISSING.md) and [a lost part](#no-such-heading).\n"
        "`[in code](ignored.md)` and [the web](https://example.org/gone) [^1]\n"
        "\n"
        "```sh\n"
        "echo [fenced](fenced.md)\n"
        "```\n"
        "\n"
        "[^1]: A footnote, not a link.\n"
        "[guide]: GUIDE.md#no-part\n"
    )
    (tmp_path / "GUIDE.md").write_text("# Guide\n\n## Part two\n")
    for skipped in ("docs", ".venv", "_build", "node_modules", "tests/roots/x"):
        (tmp_path / skipped).mkdir(parents=True)
        (tmp_path / skipped / "page.md").write_text("[broken](nowhere.md)\n")
    report = check_markdown(tmp_path)
    found = {(f.where, f.target) for f in report.failures}
    assert found == {
        ("README.md:6", "MISSING.md"), ("README.md:6", "#no-such-heading"),
        ("README.md:14", "GUIDE.md#no-part"),
    }
    assert str(_only(report, "#no-such-heading")) == (
        "README.md:6: #no-such-heading: no heading with the anchor #no-such-heading in README.md"
    )


def test_markdown_check_passes_without_a_readme(tmp_path):
    report = check_markdown(tmp_path)
    assert (report.checked, report.failures) == (0, [])


@pytest.mark.parametrize(("heading", "slug"), [
    ("Set it up, now!", "set-it-up-now"),
    ("What's in `make test`?", "whats-in-make-test"),
    ("See [the guide](GUIDE.md)", "see-the-guide"),
    ("Ça va", "ça-va"),
])
def test_github_slug(heading, slug):
    assert github_slug(heading) == slug


# -- The command line ----------------------------------------------------------

def test_command_line_prints_each_failure_and_exits_1(tmp_path, capsys):
    build = tmp_path / "build"
    _site(build, {"index.html": '<a href="gone.html">x</a>'})
    (build / "pdf").mkdir()
    _render(build / "pdf")
    assert main([str(build), "--root", str(build)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "index.html: gone.html: no such file in the built site (source: (theme or template))"
    )
    assert out[-1].startswith("2 broken links")  # and the PDF's web link, not on the website


def test_command_line_exits_0_with_a_summary_on_a_sound_build(tmp_path):
    build = tmp_path / "build"
    _site(build, {"index.html": '<a href="https://example.org/on-site">web</a>'})
    (build / "pdf").mkdir()
    _render(build / "pdf")
    result = subprocess.run(
        [sys.executable, "-m", "handbook.tools.links", str(build), "--root", str(build)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("0 broken links (website 1, PDF 2, Markdown 0 links checked")
