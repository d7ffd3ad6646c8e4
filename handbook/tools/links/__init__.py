"""Internal link checks for the built website, the PDF and the repository's Markdown.

``make test`` runs these offline, in a few seconds; links to other sites are
left to the online link checker. Three checks, each returning a `Report`:

- `check_site`: every address in the built website that points inside the
  site (``href``, ``src``, ``srcset``, ``action``... in every ``.html`` file,
  ``url()`` in its stylesheets, the pages ``sitemap.xml`` lists) names a
  file that exists, and every ``#fragment`` an ``id`` (or ``<a name>``) in
  that file. Raw HTML written in a page and the theme's templates are
  covered too: it is all in the output.
  Each failure names the built page, the source file and line the link can
  be found on (or "(theme or template)"), and the target.
- `check_pdf`: every internal link and bookmark of the PDF reaches a page,
  a link to a heading reaches the page that holds the heading, no link the
  print page (the book's doctree as HTML) asked for went missing, and every
  external link is an ``http(s)`` address that the website also links to, so
  the online checker covers it. Links written ``#document-page#anchor`` (the ``singlehtml``
  bug that ``handbook.sphinxext.pdf`` repairs) are failures.
- `check_markdown`: relative links and ``#anchors`` in ``README.md`` and the
  repository's other Markdown files (not the handbook's pages) resolve, the
  anchors as GitHub makes them from headings.

``python -m handbook.tools.links BUILDDIR`` runs all three on a build made with
``make html BUILDDIR=...``, prints each failure on its own line and exits 1
if there is any.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from handbook.shared import ROOT
from handbook.tools.links.common import DOCS, NOT_IN_SOURCES, Failure, Report
from handbook.tools.links.markdown import check_markdown, github_slug
from handbook.tools.links.pdf import check_pdf, external_urls
from handbook.tools.links.site import check_site

__all__ = [
    "NOT_IN_SOURCES", "Failure", "Report", "book_pdfs", "check_build", "check_markdown",
    "check_pdf", "check_site", "external_urls", "github_slug", "main",
]


# -- Command line -------------------------------------------------------------

def book_pdfs(pdf_dir: Path) -> list[Path]:
    """The PDFs of a build, the standard one first (the large print's name
    sorts before it: "-large-print.pdf" < ".pdf")."""
    return sorted(pdf_dir.glob("*.pdf"), key=lambda p: (p.stem.endswith("-large-print"), p.name))


def check_build(builddir: Path, docs_dir: Path = DOCS, root: Path = ROOT) -> list[Report]:
    """All three checks on a build made by ``make html BUILDDIR=builddir``."""
    html_dir, pdf_dir = builddir / "html", builddir / "pdf"
    reports = [check_markdown(root)]
    if not (html_dir / "index.html").is_file():
        missing = Report("website", failures=[Failure(str(html_dir), "index.html", "not built")])
        return [missing, *reports]
    reports.insert(0, check_site(html_dir, docs_dir))
    pdfs = book_pdfs(pdf_dir)
    if not pdfs:
        reports.insert(1, Report("PDF", failures=[Failure(str(pdf_dir), "*.pdf", "not built")]))
        return reports
    print_page = pdf_dir / "index.html"
    reports.insert(1, check_pdf(pdfs[0], external_urls(html_dir),
                                print_page if print_page.is_file() else None, docs_dir))
    return reports


def main(argv: list[str] | None = None) -> int:
    """Print each broken link on its own line; exit 1 if there is any."""
    parser = argparse.ArgumentParser(
        prog="python -m handbook.tools.links", description=__doc__.split("\n")[0]
    )
    parser.add_argument("builddir", type=Path, help="the BUILDDIR of `make html`")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the handbook's sources")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository, for its Markdown")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    reports = check_build(args.builddir, args.docs, args.root)
    failures = [failure for report in reports for failure in report.failures]
    for failure in failures:
        print(failure)
    for note in (note for report in reports for note in report.notes):
        print(note, file=sys.stderr)
    counts = ", ".join(f"{r.name} {r.checked}" for r in reports)
    seconds = time.perf_counter() - start
    print(f"{len(failures)} broken links ({counts} links checked, {seconds:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
