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

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import threading
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from utils import ROOT, ROOTS

from handbook.tools.linkreport import Link, main, read_results

TIMEOUT = 1  # seconds: linkcheck_timeout for the tests (-D takes whole seconds)
SLOW = 3  # seconds the slow page takes: longer than TIMEOUT
RETRY_AFTER = 1  # seconds the busy page asks for

PAGE = b'<!doctype html><html><body><h2 id="here">Here</h2></body></html>'
PAGES = {"/page", "/new", "/articles/2021"}
REDIRECTS = {  # from: (status, to)
    "/old": (301, "/new"),  # not allowed
    "/doi/10.5555/2021": (302, "/articles/2021"),  # allowed, as a DOI is
    "/doi/10.5555/blocked": (302, "/publisher/blocked"),  # to an ignored "publisher"
}
ERRORS = {"/gone": 404, "/error": 500, "/publisher/blocked": 403}


# -- The local web server ------------------------------------------------------

class LocalSite(ThreadingHTTPServer):
    """A web server on a free port of 127.0.0.1 that counts its requests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.stopping = threading.Event()  # cuts the slow page's wait short
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def count(self, path: str) -> int:
        """Count a request for path; return how many there have been."""
        with self.lock:
            self.requests[path] += 1
            return self.requests[path]

    def handle_error(self, request, client_address) -> None:
        """Stay quiet when a checker gives up on the slow page and hangs up."""


class Handler(BaseHTTPRequestHandler):
    """Answers each path of the test site (HEAD as GET, without the body)."""

    server: LocalSite

    def do_HEAD(self) -> None:
        self.answer(with_body=False)

    def do_GET(self) -> None:
        self.answer(with_body=True)

    def answer(self, with_body: bool) -> None:
        path = self.path
        tries = self.server.count(path)
        if path == "/busy" and tries == 1:
            self.send(429, {"Retry-After": str(RETRY_AFTER)})
        elif path == "/hostile":  # asks for more than a day
            self.send(429, {"Retry-After": "100000"})
        elif path == "/refusing":  # asks for a second, and refuses again, for ever
            self.send(429, {"Retry-After": str(RETRY_AFTER)})
        elif path == "/slow":
            self.server.stopping.wait(SLOW)
            self.send(200, body=PAGE if with_body else b"")
        elif path in REDIRECTS:
            status, target = REDIRECTS[path]
            self.send(status, {"Location": self.server.url + target})
        elif path in ERRORS:
            self.send(ERRORS[path])
        elif path in PAGES or path == "/busy":
            self.send(200, body=PAGE if with_body else b"")
        else:
            self.send(404)

    def send(self, status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE) if self.command == "HEAD" else len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    """The local web server, running in a thread; stopped and joined after."""
    server = LocalSite()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture(scope="module")
def closed() -> str:
    """The address of a port on 127.0.0.1 that nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- Running `make linkcheck` --------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One `make linkcheck`: the project it checked and what came of it."""

    docs: Path
    results: dict[str, Link]  # by address
    returncode: int
    report: str  # the report on standard output

    def status(self, uri: str) -> str:
        return self.results[uri].status


def local_settings(config: dict, server: str) -> list[str]:
    """The -D settings a run against the local server needs, on top of conf.py's."""
    here = re.escape(server)
    ignore = [*config["linkcheck_ignore"], r"https://doi\.org/", f"{here}/publisher/"]
    assert not any("," in pattern for pattern in ignore), "-D splits a list at commas"
    return [
        "-D", f"linkcheck_timeout={TIMEOUT}",
        "-D", f"linkcheck_allowed_redirects.{here}/doi/={here}/articles/",
        "-D", "linkcheck_ignore=" + ",".join(ignore),
        "-D", "handbook_review_required=0",  # the test pages carry no review dates
    ]


def make_linkcheck(docs: Path, build: Path, settings: list[str]) -> Run:
    """Run the Makefile's linkcheck target on docs, offline."""
    with subprocess.Popen(make_command(docs, build, settings), cwd=ROOT, env=OFFLINE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as make:
        try:
            # Only stops a hung test, with all it started: the run's own bounds are the subject.
            report, _ = make.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            raise
    return finished(docs, build, make.returncode, report)


OFFLINE = {**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}


def make_command(docs: Path, build: Path, settings: list[str]) -> list[str]:
    options = " ".join(map(shlex.quote, settings)).replace("$", "$$")  # $ is make's
    return ["make", "--no-print-directory", "-s", "-o", ".venv/.installed",  # no pip: offline
            f"DOCS={docs}", f"BUILDDIR={build}", f"LINKCHECK_OPTS={options}", "linkcheck"]


def finished(docs: Path, build: Path, returncode: int, report: str) -> Run:
    output = build / "linkcheck" / "output.json"
    links = read_results(output) if output.exists() else []
    return Run(docs, {link.uri: link for link in links}, returncode, report)


def copy_project(target: Path, server: str, closed: str) -> Path:
    """tests/roots/linkcheck/ with the addresses filled in."""
    shutil.copytree(ROOTS / "linkcheck", target)
    for path in [*target.glob("*.md"), *target.glob("*.bib")]:
        text = path.read_text(encoding="utf-8")
        text = text.replace("{{server}}", server).replace("{{closed}}", closed)
        path.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def run(site, closed, config, tmp_path_factory) -> Run:
    """The link check of the test project, run once for this module's tests."""
    tmp = tmp_path_factory.mktemp("linkcheck")
    docs = copy_project(tmp / "docs", site.url, closed)
    return make_linkcheck(docs, tmp / "build", local_settings(config, site.url))


def line_of(path: Path, text: str) -> int:
    """The number of the first line of path that contains text."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


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
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(f"# Moved\n\nA [page that moved]({site.url}/old).\n")
    (docs / "references.bib").write_text("")
    moved = make_linkcheck(docs, tmp_path / "build", local_settings(config, site.url))
    assert moved.status(f"{site.url}/old") == "redirected"
    assert moved.returncode != 0
    assert main([str(tmp_path / "build" / "linkcheck" / "output.json")]) == 0


def test_the_run_passes_when_every_link_works(site, config, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(f"# Fine\n\nA [page that works]({site.url}/page).\n")
    (docs / "references.bib").write_text("")
    fine = make_linkcheck(docs, tmp_path / "build", local_settings(config, site.url))
    assert fine.status(f"{site.url}/page") == "working"
    assert fine.returncode == 0, fine.report


# -- A run that always ends, and always reports -----------------------------------

def one_page(tmp_path: Path, *links: str) -> Path:
    """A project of one page with each link on a line of its own."""
    docs = tmp_path / "docs"
    docs.mkdir()
    lines = "".join(f"A [link]({link}).\n\n" for link in links)
    (docs / "index.md").write_text(f"# Links\n\n{lines}")
    (docs / "references.bib").write_text("")
    return docs


def test_a_site_asking_to_wait_for_a_day_is_reported_rate_limited_not_waited_for(
        site, config, tmp_path):
    uri = f"{site.url}/hostile"
    docs = one_page(tmp_path, f"{site.url}/page", uri)
    bounded = make_linkcheck(docs, tmp_path / "build", [
        *local_settings(config, site.url), "-D", "handbook_linkcheck_rate_limit_max=2"])
    link = bounded.results[uri]
    assert link.status == "broken" and link.info.startswith("429 ")
    assert "still rate-limited after the 2 s" in link.info and "asked for 100000 s" in link.info
    assert bounded.status(f"{site.url}/page") == "working"
    assert bounded.returncode != 0
    assert "Timed out or rate-limited (1): " in bounded.report
    assert f"{docs / 'index.md'}:{line_of(docs / 'index.md', uri)}: {uri}" in bounded.report


def test_a_site_that_keeps_refusing_is_given_up_after_the_bound(site, config, tmp_path):
    uri = f"{site.url}/refusing"
    docs = one_page(tmp_path, uri)
    before = site.requests["/refusing"]
    bounded = make_linkcheck(docs, tmp_path / "build", [
        *local_settings(config, site.url), "-D", "handbook_linkcheck_rate_limit_max=2"])
    assert bounded.status(uri) == "broken"
    assert "still rate-limited after the 2 s" in bounded.results[uri].info
    assert site.requests["/refusing"] - before >= 2  # it waited, and asked again


def test_the_run_stops_at_its_time_limit_and_lists_what_it_did_not_check(
        site, config, tmp_path):
    uri = f"{site.url}/refusing"
    docs = one_page(tmp_path, f"{site.url}/page", uri)
    bounded = make_linkcheck(docs, tmp_path / "build", [
        *local_settings(config, site.url), "-D", "handbook_linkcheck_rate_limit_max=600",
        "-D", "handbook_linkcheck_max_time=4"])
    link = bounded.results[uri]
    assert (link.status, link.info.split(":")[0]) == ("unchecked", "not checked")
    assert "time limit of 4 s" in link.info
    assert bounded.status(f"{site.url}/page") == "working"
    assert bounded.returncode != 0
    assert "Not checked (1): " in bounded.report
    assert f"{docs / 'index.md'}:{line_of(docs / 'index.md', uri)}: {uri}" in bounded.report


@pytest.mark.parametrize("how", ["SIGTERM to make", "SIGINT to its process group"])
def test_an_interrupted_run_still_reports_what_it_checked(site, config, tmp_path, how):
    uri = f"{site.url}/refusing"
    docs = one_page(tmp_path, f"{site.url}/page", uri)
    build = tmp_path / "build"
    before = site.requests["/refusing"]
    command = make_command(docs, build, [
        *local_settings(config, site.url), "-D", "handbook_linkcheck_rate_limit_max=600"])
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=OFFLINE, start_new_session=True) as make:
        deadline = time.monotonic() + 60
        while site.requests["/refusing"] - before < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # until the check is waiting for the refusing site
        if how.startswith("SIGTERM"):
            make.send_signal(signal.SIGTERM)  # as a CI runner's timeout does
        else:
            os.killpg(make.pid, signal.SIGINT)  # as Ctrl-C in a terminal does
        report, errors = make.communicate(timeout=60)
    stopped = finished(docs, build, make.returncode, report)
    assert stopped.returncode != 0
    assert stopped.status(f"{site.url}/page") == "working"
    assert stopped.status(uri) == "unchecked"
    assert "stopped by SIG" in stopped.results[uri].info
    assert "Checked 2 links: 1 unchecked, 1 working" in report, report + errors
    assert "Not checked (1): " in report


# -- The report on its own -----------------------------------------------------

def write_results(path: Path, *links: dict) -> Path:
    """An output.json as Sphinx writes it: one JSON object a line."""
    path.write_text("".join(json.dumps(link) + "\n" for link in links), encoding="utf-8")
    return path


def test_a_site_still_refusing_with_429_is_reported_as_rate_limited(tmp_path, capsys):
    results = write_results(tmp_path / "output.json", {
        "filename": "help-now.md", "lineno": 36, "status": "broken", "code": 0,
        "uri": "https://example.org/", "info": "429 Client Error: Too Many Requests"})
    assert main(["--docs", str(tmp_path / "docs"), str(results)]) == 1
    report = capsys.readouterr().out
    assert "Timed out or rate-limited (1): " in report and "Broken" not in report
    assert f"{tmp_path}/docs/help-now.md:36: https://example.org/" in report


def test_the_report_fails_only_for_links_that_need_fixing(tmp_path, capsys):
    results = write_results(
        tmp_path / "output.json",
        {"filename": "a.md", "lineno": 1, "status": "working", "code": 0, "uri": "u", "info": ""},
        {"filename": "a.md", "lineno": 2, "status": "ignored", "code": 0, "uri": "v", "info": ""},
    )
    assert main([str(results)]) == 0
    assert "Checked 2 links: 1 ignored, 1 working" in capsys.readouterr().out


def test_no_results_to_read_is_an_error_of_its_own(tmp_path, capsys):
    assert main([str(tmp_path / "missing.json")]) == 2
    assert "No link check results" in capsys.readouterr().err


# -- The handbook's own settings and CI ------------------------------------------

def test_conf_lets_every_cited_doi_lead_on_to_its_publisher(config):
    dois = re.findall(r"doi\s*=\s*\{([^}]+)\}", (ROOT / "docs/references.bib").read_text())
    allowed = [re.compile(pattern) for pattern in config["linkcheck_allowed_redirects"]]
    assert dois
    for doi in dois:
        assert any(pattern.match(f"https://doi.org/{doi}") for pattern in allowed), doi


def test_ci_checks_the_links_weekly_and_keeps_the_report():
    workflow = yaml.safe_load((ROOT / ".github/workflows/linkcheck.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["linkcheck"]["steps"]
    assert triggers["schedule"] and "docs/**" in triggers["pull_request"]["paths"]
    assert any(step.get("run") == "make linkcheck" for step in steps)
    kept = next(step for step in steps if "upload-artifact" in step.get("uses", ""))
    assert kept["if"] == "always()"
    assert "output.json" in kept["with"]["path"] and "output.txt" in kept["with"]["path"]
