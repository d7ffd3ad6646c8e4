"""Benchmark the website as a reader's phone gets it: ``make bench``.

Builds the handbook twice into a temporary folder, as published (``-W``, the
canonical address set to where it is served here):

* **lean**: the site as configured (conf.py, with handbook/sphinxext/lean.py);
* **default**: the same pages with the stock sphinx-book-theme settings, from
  a small configuration that reads conf.py and undoes only the lean changes
  (``LEAN_SETTINGS`` below).

Each site is served from 127.0.0.1 under its published path. Every page is
opened once in a fresh headless Chromium (an empty cache) and everything it
fetches until the network is quiet is counted: requests, bytes as served,
and bytes gzipped (what a server with compression sends). Then Lighthouse
(from npm, ``npm ci``) scores every lean page with its mobile preset.

Prints the two sites side by side, their total sizes, the Lighthouse scores
and the targets, and exits with 1 when a target is missed:

* a first visit to any page: at most 150 KB gzipped, fewer than 12 requests,
  none to another host;
* Lighthouse on every page: performance at least 98; accessibility, best
  practices and SEO 100;
* the PDF built in under 10 s; the live preview rebuilt within 1.5 s after a
  one-page edit (its first, full build is the baseline).

Usage: ``python -m handbook.tools.bench [--no-lighthouse] [--pages GLOB]``.

``--scale N`` (``make bench SCALE=N``, or ``SCALE="10 30"``) measures something else instead: every
stage (the three builds, a one-word edit, the link checks, the site's size)
on the handbook and on a generated book with N times its pages, side by side
(see `handbook.tools.scale`); ``--with-tests`` (``TESTS=1``) times ``make test``
on each book too.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from handbook.shared import ROOT, STRICT, read_conf, site_pages
from handbook.tools.browser import CHROMIUM, CHROMIUM_ARGS, free_port
from handbook.tools.live import measure_rebuild

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]

MAX_GZIPPED = 150_000
MAX_REQUESTS = 11  # "fewer than 12"
MIN_SCORES = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}
MAX_PDF_SECONDS = 10
MAX_REBUILD_SECONDS = 1.5

# What the lean site changes in conf.py; the default build undoes only this.
LEAN_SETTINGS = '''
handbook_lean = False  # handbook/sphinxext/lean.py: the theme as it comes
html_context = {k: v for k, v in html_context.items() if k != "default_mode"}
html_theme_options = {k: v for k, v in html_theme_options.items() if k != "primary_sidebar_end"}
'''


@dataclass
class Load:
    """What one first visit to a page fetched."""

    requests: int = 0
    raw: int = 0
    gzipped: int = 0
    elsewhere: list[str] = field(default_factory=list)


@dataclass
class Site:
    name: str
    html: Path
    url: str = ""
    loads: dict[str, Load] = field(default_factory=dict)
    scores: dict[str, dict[str, int]] = field(default_factory=dict)
    failing: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in self.html.rglob("*") if p.is_file())

    @property
    def files(self) -> int:
        return sum(1 for p in self.html.rglob("*") if p.is_file())


def _published_path() -> str:
    """The folder the site is published in (its address's path), say /handbook/."""
    folder = urlsplit(read_conf().get("html_baseurl", "/")).path.strip("/")
    return f"/{folder}/" if folder else "/"


def build(name: str, confdir: Path, out: Path, base_url: str, builder: str = "html") -> Path:
    """sphinx-build as the Makefile runs it, with the address it is served at."""
    html = out / name
    env = {**os.environ, "HANDBOOK_BASE_URL": base_url}
    subprocess.run(
        [sys.executable, "-m", "sphinx", *STRICT,
         "-c", str(confdir), "-d", str(out / f"{name}.doctrees"), "-b", builder,
         str(ROOT / "docs"), str(html)],
        cwd=ROOT, env=env, check=True,
    )
    return html


COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".xml", ".txt"}


def serve(html: Path, prefix: str, port: int) -> http.server.ThreadingHTTPServer:
    """The site under its published path, gzipping text as its host would
    (GitHub Pages and Read the Docs do), so Lighthouse sees real transfers."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            if not path.startswith(prefix):
                return str(html / "no such file")
            return super().translate_path("/" + path[len(prefix):])

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if (not path.is_file() or path.suffix not in COMPRESSED
                    or "gzip" not in self.headers.get("Accept-Encoding", "")):
                return super().send_head()
            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(Handler, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def pages_of(html: Path, pattern: str) -> list[str]:
    names = (p.relative_to(html).as_posix() for p in site_pages(html))
    return [name for name in names if fnmatch.fnmatch(name, pattern)]


def measure(browser, site: Site, pages: list[str]) -> None:
    """Open each page in a fresh context and count what it fetches."""
    for path in pages:
        context = browser.new_context(viewport={"width": 412, "height": 823})
        load = Load()

        def route(route, load=load):
            if route.request.url.startswith(site.url):
                route.continue_()
            else:
                load.elsewhere.append(route.request.url)
                route.abort()

        def finished(request, load=load):
            response = request.response()
            body = response.body() if response is not None else b""
            load.requests += 1
            load.raw += len(body)
            load.gzipped += len(gzip.compress(body, compresslevel=6))

        context.route("**/*", route)
        page = context.new_page()
        page.on("requestfinished", finished)
        page.goto(site.url + path, wait_until="networkidle")
        load.requests += len(load.elsewhere)
        site.loads[path] = load
        context.close()


def lighthouse(site: Site, pages: list[str]) -> None:
    """Lighthouse's four scores for each page, mobile preset (its default)."""
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    for path in pages:
        result = subprocess.run(
            [str(LIGHTHOUSE), site.url + path, "--quiet", "--output=json", "--output-path=stdout",
             "--only-categories=" + ",".join(CATEGORIES),
             "--chrome-flags=" + " ".join(CHROMIUM_ARGS)],
            env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            print(f"lighthouse failed on {path}: {result.stderr.strip()[-500:]}", file=sys.stderr)
            site.scores[path] = {c: 0 for c in CATEGORIES}
            continue
        report = json.loads(result.stdout)
        site.scores[path] = {
            c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES
        }
        site.failing[path] = sorted(
            ref["id"] for c in CATEGORIES for ref in report["categories"][c]["auditRefs"]
            if ref["weight"] and (report["audits"][ref["id"]]["score"] or 0) < 1
            and report["audits"][ref["id"]]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
        )


def _kb(n: int) -> str:
    return f"{n / 1000:,.1f}"


def report(lean: Site, default: Site) -> list[str]:
    """Print the tables; return the targets missed."""
    missed = []
    print("\nFirst visit to each page (fresh cache), KB = 1,000 bytes")
    head = f"{'page':38} {'lean: req':>9} {'raw KB':>9} {'gzip KB':>8}   {'default: req':>12} {'raw KB':>9} {'gzip KB':>8}"
    print(head)
    print("-" * len(head))
    for path, load in lean.loads.items():
        base = default.loads.get(path, Load())
        print(f"{path:38} {load.requests:>9} {_kb(load.raw):>9} {_kb(load.gzipped):>8}   "
              f"{base.requests:>12} {_kb(base.raw):>9} {_kb(base.gzipped):>8}")
        if load.gzipped > MAX_GZIPPED:
            missed.append(f"{path}: {_kb(load.gzipped)} KB gzipped (at most {_kb(MAX_GZIPPED)})")
        if load.requests > MAX_REQUESTS:
            missed.append(f"{path}: {load.requests} requests (fewer than {MAX_REQUESTS + 1})")
        if load.elsewhere:
            missed.append(f"{path}: requests to other hosts: {sorted(set(load.elsewhere))}")
    for site in (lean, default):
        loads = site.loads.values()
        print(f"{site.name + ', largest page:':38} {max(x.requests for x in loads):>9} "
              f"{_kb(max(x.raw for x in loads)):>9} {_kb(max(x.gzipped for x in loads)):>8}")

    print("\nWhole site (every file in the output)")
    for site in (lean, default):
        print(f"  {site.name:8} {site.files:5} files  {_kb(site.size):>10} KB")

    if lean.scores:
        print("\nLighthouse, mobile preset (performance, accessibility, best practices, SEO)")
        print(f"{'page':38} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'seo':>5}  below 1")
        for site in (lean, default):
            for path, scores in site.scores.items():
                label = path if site is lean else f"{path} (default theme)"
                below = ", ".join(site.failing.get(path, []))
                print(f"{label:38} " + " ".join(f"{scores[c]:>5}" for c in CATEGORIES) + f"  {below}")
        for path, scores in lean.scores.items():
            for category, least in MIN_SCORES.items():
                if scores[category] < least:
                    missed.append(f"{path}: Lighthouse {category} {scores[category]} (at least {least})")

    return missed


def build_times(out: Path, base_url: str) -> dict[str, float]:
    """Seconds to build the PDF as ``make pdf`` does, and the live preview's."""
    start = time.perf_counter()
    build("pdf", ROOT, out, base_url, builder="pdf")
    pdf = time.perf_counter() - start
    live = measure_rebuild()
    return {"pdf": pdf, "live full": live.full, "live rebuild": live.rebuild}


def report_times(lean: Site, default: Site, times: dict[str, float]) -> list[str]:
    """Print the build times beside their baselines; return the targets missed."""
    print("\nBuild times, seconds (this machine, this run)")
    print(f"  website, lean {lean.seconds:6.2f}   default theme {default.seconds:6.2f}")
    print(f"  PDF           {times['pdf']:6.2f}   target under {MAX_PDF_SECONDS}")
    print(f"  live preview, rebuild after a one-page edit {times['live rebuild']:6.2f}   "
          f"first full build {times['live full']:6.2f}   target {MAX_REBUILD_SECONDS}")
    missed = []
    if times["pdf"] >= MAX_PDF_SECONDS:
        missed.append(f"PDF: {times['pdf']:.1f} s to build (under {MAX_PDF_SECONDS})")
    if times["live rebuild"] > MAX_REBUILD_SECONDS:
        missed.append(f"live preview: {times['live rebuild']:.2f} s to rebuild "
                      f"(at most {MAX_REBUILD_SECONDS})")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-lighthouse", action="store_true", help="skip the Lighthouse runs")
    parser.add_argument("--pages", default="*", help="only pages matching this pattern")
    parser.add_argument("--scale", type=int, metavar="N", nargs="+",
                        help="time every stage at 1× and N× the pages instead (N...: each)")
    parser.add_argument("--with-tests", action="store_true",
                        help="with --scale, time make test on each book too (minutes each)")
    args = parser.parse_args(argv)
    if args.with_tests and args.scale is None:
        parser.error("--with-tests needs --scale N (make bench SCALE=N TESTS=1)")
    if args.scale is not None:
        from handbook.tools.scale import bench as scale_bench

        return scale_bench(*args.scale, tests=args.with_tests)
    if not Path(CHROMIUM).exists():
        print("make bench needs Chromium: sudo apt-get install chromium", file=sys.stderr)
        return 2
    if not args.no_lighthouse and not LIGHTHOUSE.exists():
        print("make bench needs Lighthouse from npm: run npm ci", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    prefix = _published_path()
    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
        out = Path(tmp)
        (out / "default-conf").mkdir()
        conf = str(ROOT / "conf.py")
        (out / "default-conf" / "conf.py").write_text(
            "import runpy\n"
            f"settings = runpy.run_path({conf!r})\n"
            "globals().update({k: v for k, v in settings.items() if not k.startswith('__')})\n"
            + LEAN_SETTINGS,
        )
        sites, servers = [], []
        for name, confdir in (("lean", ROOT), ("default", out / "default-conf")):
            port = free_port()
            url = f"http://127.0.0.1:{port}{prefix}"
            print(f"Building the {name} site ...", flush=True)
            start = time.perf_counter()
            site = Site(name, build(name, confdir, out, url), url)
            site.seconds = time.perf_counter() - start
            servers.append(serve(site.html, prefix, port))
            sites.append(site)
        lean, default = sites
        print("Timing the PDF and the live preview ...", flush=True)
        times = build_times(out, lean.url)
        pages = pages_of(lean.html, args.pages)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for site in sites:
                    print(f"Measuring {len(pages)} pages of the {site.name} site ...", flush=True)
                    measure(browser, site, pages)
                browser.close()
            if not args.no_lighthouse:
                print(f"Lighthouse on {len(pages)} lean pages and the default index ...", flush=True)
                lighthouse(lean, pages)
                lighthouse(default, [p for p in ("index.html",) if p in pages])
        finally:
            for server in servers:
                server.shutdown()
                server.server_close()
        missed = report(lean, default) + report_times(lean, default, times)
    print("\nTargets: " + ("all met" if not missed else f"{len(missed)} missed"))
    for line in missed:
        print("  " + line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
