"""`make linkcheck` against a local web server: each kind of link gets its status.

A web server on 127.0.0.1 (a free port, in a thread) serves a page with a
heading, a 404, a 500, redirects, a 429 with Retry-After and a page too slow
to wait for; a closed port stands for a server that is not there. The project
in tests/roots/linkcheck/ links to each, and cites works by DOI and by
DOI-like addresses on the server.

It is checked by the Makefile's own target with the handbook's conf.py. The
test changes only what a local server needs (-D): a one-second timeout; the
server's own allowed redirect, added to conf.py's; and conf.py's ignore list
plus doi.org (the run must not go online, and "ignored" still shows that a
citation's DOI was collected) and the server's stand-in for a publisher that
refuses link checkers.
"""

from __future__ import annotations

import re

import pytest

import linkcheck_server
from linkcheck_server import Run, copy_project, line_of, local_settings, make_linkcheck, one_page

from handbook.tools.linkreport import main

# The local web server, and the address where none listens (fixtures).
site, closed = linkcheck_server.site, linkcheck_server.closed


@pytest.fixture(scope="module")
def run(site, closed, config, tmp_path_factory) -> Run:
    """The link check of the test project, run once for this module's tests."""
    tmp = tmp_path_factory.mktemp("linkcheck")
    docs = copy_project(tmp / "docs", site.url, closed)
    return make_linkcheck(docs, tmp / "build", local_settings(config, site.url))


# -- Each kind of link ---------------------------------------------------------

def test_a_page_that_answers_is_working(run, site):
    assert run.status(f"{site.url}/page") == "working"


def test_an_anchor_on_the_page_is_working(run, site):
    assert run.status(f"{site.url}/page#here") == "working"


def test_an_anchor_missing_from_the_page_is_broken(run, site):
    link = run.results[f"{site.url}/page#missing"]
    assert link.status == "broken"
    assert "Anchor 'missing' not found" in link.info


@pytest.mark.parametrize("path, code", [("/gone", "404"), ("/error", "500")])
def test_an_error_answer_is_broken(run, site, path, code):
    link = run.results[f"{site.url}{path}"]
    assert link.status == "broken"
    assert link.info.startswith(code)


def test_a_server_that_is_not_there_is_broken(run, closed):
    link = run.results[f"{closed}/page"]
    assert link.status == "broken"
    assert "Connection refused" in link.info


def test_a_redirect_conf_allows_is_working(run, site):
    assert run.status(f"{site.url}/doi/10.5555/2021") == "working"


def test_a_redirect_conf_does_not_allow_is_reported_with_the_new_address(run, site):
    link = run.results[f"{site.url}/old"]
    assert (link.status, link.code, link.info) == ("redirected", 301, f"{site.url}/new")


def test_a_busy_site_is_asked_again_after_its_retry_after(run, site):
    assert run.status(f"{site.url}/busy") == "working"
    assert site.requests["/busy"] >= 2


def test_a_slow_site_times_out(run, site):
    assert run.status(f"{site.url}/slow") == "timeout"


def test_the_live_preview_address_is_ignored(run):
    assert run.status("http://127.0.0.1:8000") == "ignored"


def test_a_citations_doi_from_the_bibliography_is_collected(run):
    link = run.results["https://doi.org/10.5555/12345678"]
    assert (link.filename, link.status) == ("references.md", "ignored")


def test_a_doi_leading_to_an_ignored_publisher_is_ignored_not_broken(run, site):
    link = run.results[f"{site.url}/doi/10.5555/blocked"]
    assert link.status == "ignored"
    assert link.info == f"ignored redirect: {site.url}/publisher/blocked"


def test_a_broken_citation_is_reported_at_its_entry_in_references_bib(run, site):
    uri = f"{site.url}/doi/10.5555/gone"
    bib = run.docs / "references.bib"
    assert run.status(uri) == "broken"
    assert f"{bib}:{line_of(bib, uri)}: {uri}" in run.report


def test_every_link_of_the_project_was_checked(run):
    assert len(run.results) == 14


# -- The run as a whole --------------------------------------------------------

def test_the_run_fails_when_a_link_is_broken(run):
    assert run.returncode != 0


def test_the_report_names_file_and_line_of_each_problem(run, site):
    for page, path in [("broken.md", "/gone"), ("moved.md", "/old"), ("slow.md", "/slow")]:
        uri = f"{site.url}{path}"
        where = f"{run.docs / page}:{line_of(run.docs / page, uri)}"
        assert f"{where}: {uri}" in run.report


def test_the_report_groups_the_problems_and_says_where_the_results_are(run):
    headings = [line.split(" (")[0] for line in run.report.splitlines()
                if re.match(r"\w[\w -]+ \(\d+\): ", line)]
    assert headings == ["Broken", "Redirected", "Timed out or rate-limited"]
    assert "output.json" in run.report


def test_a_redirect_conf_does_not_allow_fails_the_run(site, config, tmp_path):
    """-W makes the redirect warning an error; the report itself passes."""
    moved = make_linkcheck(one_page(tmp_path, f"{site.url}/old"), tmp_path / "build",
                           local_settings(config, site.url))
    assert moved.status(f"{site.url}/old") == "redirected"
    assert moved.returncode != 0
    assert main([str(tmp_path / "build" / "linkcheck" / "output.json")]) == 0


def test_the_run_passes_when_every_link_works(site, config, tmp_path):
    fine = make_linkcheck(one_page(tmp_path, f"{site.url}/page"), tmp_path / "build",
                          local_settings(config, site.url))
    assert fine.status(f"{site.url}/page") == "working"
    assert fine.returncode == 0, fine.report
