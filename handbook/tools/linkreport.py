"""A readable report of ``make linkcheck``: which links need a person, and where.

Sphinx's ``linkcheck`` builder writes one JSON object a line to
``output.json``, with the source file relative to the docs folder::

    {"filename": "benefits/stigma.md", "lineno": 20, "status": "broken",
     "code": 0, "uri": "https://...", "info": "404 Client Error: Not Found ..."}

``python -m handbook.tools.linkreport [--docs DIR] OUTPUT_JSON`` prints a count of
every status, then the links that need a person, in four groups, each link
with its file and line:

- broken: fix the address, or remove the link;
- redirected: the page has moved; put the new address in the page (or, for a
  redirect that is fine, allow it in conf.py's ``linkcheck_allowed_redirects``);
- timed out or rate-limited: most often the site on the day; if it recurs,
  check the link by hand;
- not checked: the run stopped (its time limit, SIGTERM, Ctrl-C) before it
  reached them (see handbook/sphinxext/linkcheck.py).

``python -m handbook.tools.linkreport [--docs DIR] OUTPUT_JSON -- COMMAND...``
runs the link check (``make linkcheck`` gives it sphinx-build's command) and
then prints the report, even when the run is stopped: SIGTERM or SIGINT is
passed on to the check, which ends by writing what it checked, and the report
follows. ``make`` runs it with ``exec``, so a signal to ``make`` reaches it.

Sphinx checks each address once and names the first place it is used; for
a link in the list of references, the report names its line in the .bib file.

The exit status is 1 when a link is broken, timed out, still rate-limited or
not checked (the links that make Sphinx fail too), 2 when there are no results
to read, and 0 otherwise; with a COMMAND, its own status when that failed
(128 and the signal's number when the run was stopped by one).
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# The groups that need a person, in the order shown, with what to do.
GROUPS = {
    "broken": ("Broken", "fix the address, or remove the link"),
    "redirected": ("Redirected", ("the page moved: put the new address in the page, "
                                  "or allow the redirect in conf.py")),
    "slow": ("Timed out or rate-limited", ("most often the site on the day; "
                                           "if it recurs, check the link by hand")),
    "stopped": ("Not checked", ("the run stopped before it reached them; "
                                "run make linkcheck again")),
}
FAILING = {"broken", "slow", "stopped"}


@dataclass(frozen=True)
class Link:
    """One line of Sphinx's output.json: an address and how its check went."""

    filename: str
    lineno: int | None
    status: str
    code: int
    uri: str
    info: str

    @classmethod
    def from_json(cls, line: str) -> Link:
        data = json.loads(line)
        return cls(
            filename=str(data.get("filename", "")),
            lineno=data.get("lineno"),
            status=str(data.get("status", "")),
            code=int(data.get("code") or 0),
            uri=str(data.get("uri", "")),
            info=str(data.get("info") or ""),
        )


def read_results(path: Path) -> list[Link]:
    """Every link in an output.json file (JSON lines), in the order written."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Link.from_json(line) for line in lines if line.strip()]


def is_rate_limited(link: Link) -> bool:
    """A link the site kept refusing with 429 Too Many Requests."""
    return link.status == "rate-limited" or (
        link.status == "broken" and link.info.startswith("429 ")
    )


def group_of(link: Link) -> str | None:
    """The report group a link belongs to, or None if it needs nobody."""
    if link.status == "timeout" or is_rate_limited(link):
        return "slow"
    if link.status == "unchecked" and link.info.startswith("not checked"):
        return "stopped"
    if link.status in ("broken", "redirected"):
        return link.status
    return None


def location(link: Link, docs: Path) -> str:
    """Where the link is, as ``docs/page.md:12``, ready to open.

    Sphinx gives the line where the link's paragraph starts: the report moves
    on to the line with the address itself. A link in the list of references
    is not in its page at all but in a .bib file: then it names the entry's
    line there, as that is what to fix.
    """
    if not link.filename:
        return "(unknown file)"
    page = docs / link.filename
    lines = _lines(page)
    in_page = not lines or any(link.uri in line for line in lines)
    if not in_page and (found := bibliography_line(link.uri, docs)):
        return found
    line = _line_with(lines, link.uri, after=max(link.lineno or 1, 1)) or link.lineno
    return f"{page}:{line}" if line and line > 0 else str(page)


def bibliography_line(uri: str, docs: Path) -> str | None:
    """Where a .bib file under docs gives this address (or this DOI), if one does."""
    wanted = uri.removeprefix("https://doi.org/")
    for bib in sorted(docs.glob("**/*.bib")):
        if line := _line_with(_lines(bib), wanted):
            return f"{bib}:{line}"
    return None


def _line_with(lines: list[str], text: str, after: int = 1) -> int | None:
    """The number of the first line, from line ``after`` on, that has text in it."""
    for number, line in enumerate(lines[after - 1:], after):
        if text in line:
            return number
    return None


def _lines(path: Path) -> list[str]:
    """The lines of a source file, or none if it cannot be read from here."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def describe(link: Link) -> str:
    """What happened to the link, in a few words."""
    if link.status == "redirected":
        code = f" ({link.code})" if link.code else ""
        return f"now at {link.info}{code}"
    if link.status == "timeout":
        seconds = re.search(r"timeout=([\d.]+)", link.info)
        return f"no answer within {seconds[1]} s" if seconds else "timed out"
    if cause := re.search(r"\[Errno -?\d+\] ([^\"')]+)", link.info):
        return f"could not connect: {cause[1].strip()}"
    return link.info or link.status


def summary(links: list[Link]) -> str:
    """One line counting the links by status."""
    counts = Counter(link.status for link in links)
    parts = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    noun = "link" if len(links) == 1 else "links"
    return f"Checked {len(links)} {noun}: {parts or 'none'}"


def format_group(group: str, links: list[Link], docs: Path) -> list[str]:
    """A group's heading, then each link, by file and line: where, what, what happened."""
    title, advice = GROUPS[group]
    lines = [f"{title} ({len(links)}): {advice}"]
    for where, link in sorted(((location(link, docs), link) for link in links),
                              key=lambda pair: _file_and_line(pair[0])):
        lines.append(f"  {where}: {link.uri}")
        lines.append(f"      {describe(link)}")
    return lines


def _file_and_line(where: str) -> tuple[str, int]:
    """``docs/page.md:12`` as ("docs/page.md", 12), to sort by."""
    path, _, line = where.rpartition(":")
    return (path, int(line)) if line.isdigit() else (where, 0)


def format_report(links: list[Link], docs: Path, results: Path) -> str:
    """The whole report: the count, each group that has links, and the files."""
    lines = [summary(links)]
    for group in GROUPS:
        members = [link for link in links if group_of(link) == group]
        if members:
            lines += ["", *format_group(group, members, docs)]
    lines += ["", f"Every link's result, one JSON object a line: {results}",
              f"The problems alone: {results.with_name('output.txt')}"]
    return "\n".join(lines)


def failed(links: list[Link]) -> bool:
    """Whether any link is broken, timed out or still rate-limited."""
    return any(group_of(link) in FAILING for link in links)


def run(command: list[str]) -> tuple[int, int]:
    """Run the link check; pass SIGTERM and SIGINT on to it, once, and wait
    for it to end. Return its exit status and the signal that came, or 0."""
    child = subprocess.Popen(command)
    received = 0

    def pass_on(number: int, frame) -> None:
        nonlocal received
        if not received:
            received = number
            child.send_signal(number)

    previous = {number: signal.signal(number, pass_on)
                for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        status = child.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return status, received


def main(argv: list[str] | None = None) -> int:
    """Print the report of an output.json (after running the check, if given);
    return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m handbook.tools.linkreport",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="the linkcheck builder's output.json")
    parser.add_argument("--docs", type=Path, default=Path("docs"),
                        help="the folder of the pages, to name their files (default: docs)")
    args = parser.parse_args(argv)
    checked, received = run(command) if command else (0, 0)
    sys.stdout.flush()
    try:
        links = read_results(args.results)
    except (OSError, ValueError) as error:
        print(f"No link check results to read in {args.results}: {error}\n"
              "Did sphinx-build stop before checking? See its messages above.",
              file=sys.stderr)
        return 128 + received if received else 2
    print(format_report(links, args.docs, args.results))
    if received:
        return 128 + received
    return checked or (1 if failed(links) else 0)


if __name__ == "__main__":
    sys.exit(main())
