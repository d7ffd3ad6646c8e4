"""Contributors' mistakes: each one stops the build with where it is and how to fix it.

Each project under ``tests/roots/error-*/`` has exactly one mistake. Its
build must fail with one warning that names the file and line and says, in
plain words, how to put it right. A failed ``make`` must leave the last good
build and every source file as they were.
"""

import contextlib
import datetime
import hashlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest
from utils import ROOT, ROOTS, SOURCE_DATE_EPOCH, build_in_process, sphinx_build
from PIL import Image

from handbook.tools.browser import free_port
from handbook.tools.live import pages_read_on_rebuild

# fixture, where the mistake is, words the fix must contain
MISTAKES = [
    ("missing-page", "index.md:5", ["page that does not exist", "[words](other-page.md)"]),
    ("missing-heading", "index.md:5", ["page or heading that does not exist", "#the-heading"]),
    ("missing-image", "index.md:5", ["picture file is not there", "Check its name"]),
    ("image-alt", "index.md:5", ["Describe the picture", "square brackets"]),
    ("figure-alt", "index.md:5", ["Describe the picture", ":alt:"]),
    ("unknown-directive", "index.md:5", ["{curly brackets}", "Check its spelling"]),
    ("unknown-role", "index.md:5", ["{curly brackets}", "{term}"]),
    ("front-matter", "index.md:1", ["front matter", "quotes"]),
    ("duplicate-label", "index.md:10", ["same label is used twice", "Rename one"]),
    ("unknown-citation", "index.md:3", ["references.bib", "key"]),
    ("broken-bibliography", "references.bib:11", ["each field ends with a comma"]),
    ("duplicate-source", "references.bib:8", ["same key", "delete one"]),
    ("not-in-toc", "forgotten.md:1", ["No table of contents lists this page", "toctree"]),
    ("skipped-heading", "index.md:5", ["one level at a time", "# signs"]),
    ("unknown-term", "index.md:5", ["not in the glossary", "glossary.md"]),
    ("misspelling", "index.md:6", ["“thier”", "“their”", "wordlist.txt"]),
    ("not-utf8", "stories.md:5", ["column 23", "save it again as UTF-8"]),
    ("open-fence", "index.md:5", ["never closed", "line of ```"]),
    ("duplicate-heading", "index.md:11", ["line 3 and on line 11", "words of its own"]),
    ("insecure-link", "index.md:5", ["https://www.example.org/groups"]),
    ("review-missing", "index.md:1", ["Review the page", "review_due", "YYYY-MM-DD"]),
    ("review-overdue", "index.md:3", ["due on 2026-03-01", "Review the page", "last_reviewed"]),
    ("review-not-a-date", "index.md:3", ["“next spring”", "YYYY-MM-DD"]),
]
WARNING = re.compile(r"^(?P<location>\S+): WARNING: .*\n    How to fix: (?P<fix>.+)$", re.M)


def test_every_error_fixture_is_listed():
    listed = {f"error-{name}" for name, _, _ in MISTAKES}
    assert listed == {root.name for root in ROOTS.glob("error-*")}


def _assert_stops_saying_where_and_how(name, where, fix_words, status, messages):
    assert status != 0
    warnings = WARNING.findall(messages)
    assert len(warnings) == 1, messages  # this mistake, and no other
    location, fix = warnings[0]
    assert location == f"tests/roots/error-{name}/{where}", messages
    for words in fix_words:
        assert words in messages, messages
    assert "e.g." not in fix and "i.e." not in fix and "etc." not in fix


@pytest.mark.parametrize(("name", "where", "fix_words"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistake_stops_the_build_saying_where_and_how_to_fix(make_app, tmp_path, name, where,
                                                            fix_words):
    # In-process (sphinx.testing), with the dummy builder: it reads and checks
    # every page but writes nothing, and each of these mistakes is found while
    # reading, so no HTML is needed.
    built = build_in_process(make_app, ROOTS / f"error-{name}", tmp_path,
                             review=name.startswith("review-"))
    _assert_stops_saying_where_and_how(name, where, fix_words, built.status, built.warnings)


# The same from the command line, for a few of them: what sphinx-build prints
# when make runs it (its own process, its exit status, its standard error).
END_TO_END = ["missing-page", "not-utf8", "misspelling", "review-overdue"]


@pytest.mark.parametrize(("name", "where", "fix_words"),
                         [m for m in MISTAKES if m[0] in END_TO_END], ids=END_TO_END)
def test_mistake_stops_sphinx_build_saying_where_and_how_to_fix(tmp_path, name, where, fix_words):
    result = sphinx_build(ROOTS / f"error-{name}", tmp_path / "out", builder="dummy",
                          review=name.startswith("review-"))
    _assert_stops_saying_where_and_how(name, where, fix_words, result.returncode, result.stderr)


def _snapshot(folder):
    """Every file under a folder, with its contents' hash and its modification time."""
    return {
        path.relative_to(folder): (hashlib.sha256(path.read_bytes()).hexdigest(),
                                   path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def test_a_failed_make_keeps_the_last_good_build_and_the_sources(book, tmp_path):
    builddir = tmp_path / "build"
    shutil.copytree(book.builddir, builddir)  # the last good build, with its dates
    broken = ROOTS / "error-missing-page"
    before = {name: _snapshot(builddir / name) for name in ("html", "pdf")}
    sources_before = _snapshot(ROOT / "docs"), _snapshot(broken)

    result = subprocess.run(
        # -W: make treats the page as just edited, without touching it.
        ["make", "--no-print-directory", "-s", f"BUILDDIR={builddir}", f"DOCS={broken}",
         "-W", str(broken / "index.md"), "html"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)},
    )

    assert result.returncode != 0
    assert "index.md:5" in result.stderr and "How to fix" in result.stderr
    assert {name: _snapshot(builddir / name) for name in ("html", "pdf")} == before
    assert (_snapshot(ROOT / "docs"), _snapshot(broken)) == sources_before


def _git(folder, *args, date=None):
    env = {**os.environ, "GIT_AUTHOR_DATE": date or "", "GIT_COMMITTER_DATE": date or ""}
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@localhost", *args],
                   cwd=folder, check=True, capture_output=True, env=env)


def test_last_updated_is_the_last_commit_of_each_page(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "references.bib").write_text("")
    (docs / "index.md").write_text("# Start\n\n```{toctree}\nolder\nnewer\nuncommitted\n```\n")
    (docs / "older.md").write_text("# Older\n\nA page.\n")
    (docs / "newer.md").write_text("# Newer\n\nA page.\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "Start", date="2024-03-05T12:00:00Z")
    (docs / "newer.md").write_text("# Newer\n\nA page, changed.\n")
    _git(tmp_path, "commit", "-q", "-am", "Change a page", date="2025-06-07T12:00:00Z")
    (docs / "uncommitted.md").write_text("# Uncommitted\n\nA page nobody has committed.\n")

    result = sphinx_build(docs, tmp_path / "html")
    assert result.returncode == 0, result.stderr

    def page(name):
        return (tmp_path / "html" / f"{name}.html").read_text()

    assert "Last updated on 5 March 2024." in page("older")
    assert "Last updated on 7 June 2025." in page("newer")
    assert "Last updated on 5 March 2024." in page("index")  # not the build's date
    assert "Last updated" not in page("uncommitted")  # no commit yet: no date, no error
    assert "edit/main/docs/uncommitted.md" in page("uncommitted")


def test_the_live_preview_rebuilds_only_the_page_that_was_edited():
    # How long it takes is make bench's to measure (handbook.tools.live's
    # measure_rebuild); a test holds what makes it fast: a partial rebuild.
    edited, read = pages_read_on_rebuild()
    assert read == [edited]


def _get(url: str, tries: int = 5) -> str:
    """A page, asked for again as a browser would when the server is busy
    rebuilding: a refused, dropped or cut-short answer is tried again."""
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except (OSError, http.client.HTTPException):  # IncompleteRead, RemoteDisconnected
            if attempt == tries - 1:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def test_make_live_serves_on_localhost_and_shows_an_edit_with_its_problem(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOTS / "error-misspelling", docs)
    page = docs / "index.md"
    today = datetime.datetime.now(datetime.timezone.utc).date()  # make live checks review dates
    front_matter = f"---\nlast_reviewed: {today}\nreview_due: {today + datetime.timedelta(30)}\n---\n"
    page.write_text(front_matter + page.read_text().replace("thier", "their"))
    port = free_port()
    url = f"http://127.0.0.1:{port}/index.html"
    log = (tmp_path / "log").open("w+")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "live", f"DOCS={docs}", f"BUILDDIR={tmp_path / 'b'}",
         f"LIVE_PORT={port}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        def wait_for(condition):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError, http.client.HTTPException):
                    if condition():
                        return True
                time.sleep(0.3)
            return False

        def logged():
            log.seek(0)
            return log.read()

        assert wait_for(lambda: "their stories" in _get(url)), logged()
        assert "/websocket-reload" in _get(url)  # the browser reloads itself
        page.write_text(page.read_text() + "\nA new sentence with a mistaek.\n")
        assert wait_for(lambda: "mistaek" in _get(url)), logged()
        assert wait_for(lambda: "1 problem to fix" in logged()), logged()
        assert "index.md:12: WARNING: unknown word “mistaek”" in logged()
        assert "How to fix" in logged()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def test_pre_commit_config_is_valid_and_its_tools_are_in_the_venv():
    result = subprocess.run([ROOT / ".venv/bin/pre-commit", "validate-config"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    entries = re.findall(r"^\s+entry: (\S+)", config, re.MULTILINE)
    assert entries and all((ROOT / entry).is_file() for entry in entries), entries


def test_the_page_template_builds_without_a_problem(tmp_path):
    template = (ROOT / "docs/contributing/page-template.md").read_text("utf-8")
    page = re.search(r"^```markdown\n(.*?)^```$", template, re.DOTALL | re.MULTILINE)[1]
    docs = tmp_path / "docs"
    (docs / "chapter").mkdir(parents=True)
    (docs / "chapter" / "new-page.md").write_text(page)
    Image.new("RGB", (4, 4)).save(docs / "chapter" / "picture-name.jpg")
    (docs / "index.md").write_text(
        "# Start\n\n```{toctree}\nchapter/new-page\nhelp-now\nglossary\nreferences\n```\n")
    (docs / "help-now.md").write_text("# Getting help now\n\nCall 999.\n")
    (docs / "glossary.md").write_text(
        "# Glossary\n\n```{glossary}\nPeer support\n  Help from people who have been there.\n```\n")
    (docs / "references.md").write_text("# References\n\n```{bibliography}\n```\n")
    (docs / "references.bib").write_text(
        "@article{lyons2021,\n  author = {Lyons, Natasha},\n  title = {Group peer support},\n"
        "  journal = {BMC Psychiatry},\n  year = {2021},\n}\n")
    result = sphinx_build(docs, tmp_path / "html")
    assert result.returncode == 0, result.stderr
