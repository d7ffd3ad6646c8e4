"""The local web server the link-check tests run `make linkcheck` against.

A web server on 127.0.0.1 (a free port, in a thread) serves a page with a
heading, a 404, a 500, redirects, a 429 with Retry-After and a page too slow
to wait for; a closed port stands for a server that is not there. Used by
test_linkcheck.py (each kind of link) and test_linkcheck_bounds.py (a run
that always ends); its fixtures are taken as ``site = linkcheck_server.site``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from utils import ROOT, ROOTS

from handbook.tools.linkreport import Link, read_results

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


def line_of(path: Path, text: str) -> int:
    """The number of the first line of path that contains text."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


def one_page(tmp_path: Path, *links: str) -> Path:
    """A project of one page with each link on a line of its own."""
    docs = tmp_path / "docs"
    docs.mkdir()
    lines = "".join(f"A [link]({link}).\n\n" for link in links)
    (docs / "index.md").write_text(f"# Links\n\n{lines}")
    (docs / "references.bib").write_text("")
    return docs

