"""Relative links and #anchors in the repository's own Markdown files (README,
CONTRIBUTING and the rest; not the handbook's pages), as GitHub resolves them."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

from handbook.shared import ROOT
from handbook.tools.links.common import Failure, Report


# -- The repository's Markdown -----------------------------------------------

# Folders whose Markdown is not the repository's own documentation: the
# handbook's pages (Sphinx checks their links) and test projects (broken on
# purpose), from the top; installed or built files, anywhere; and any folder
# that says it is a cache (CACHEDIR.TAG, as pytest's) or a virtual environment.
SKIPPED_PATHS = {"docs", "tests/roots"}
SKIPPED_NAMES = {".venv", "_build", "node_modules", ".git", "__pycache__"}
SKIPPED_MARKERS = ("CACHEDIR.TAG", "pyvenv.cfg")
MARKDOWN_LINK = re.compile(
    r"!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+[^)]*)?\)"  # [text](target "title")
    r"|^\s{0,3}\[(?!\^)[^\]]+\]:\s*(<[^>]*>|\S+)"  # [label]: target, not a [^footnote]
    r"""|\b(?:href|src)\s*=\s*["']([^"']+)["']"""  # raw HTML
)
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")


def markdown_files(root: Path) -> list[Path]:
    """The repository's own Markdown files (see SKIPPED_PATHS)."""
    found = []
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(name for name in subfolders if not _skipped(root, here / name))
        found += [here / name for name in sorted(files) if name.endswith(".md")]
    return found


def _skipped(root: Path, folder: Path) -> bool:
    return (
        folder.relative_to(root).as_posix() in SKIPPED_PATHS
        or folder.name in SKIPPED_NAMES
        or any((folder / marker).exists() for marker in SKIPPED_MARKERS)
    )


def check_markdown(root: Path = ROOT) -> Report:
    """Check relative links and anchors in the repository's Markdown files.

    Web addresses are left to the online checker. A file that does not exist
    yet (a README still to be written) is simply not there to check.
    """
    report = Report("Markdown")
    for path in markdown_files(root):
        for number, target in markdown_links(path):
            report.checked += 1
            problem = _markdown_link_problem(root, path, target)
            if problem:
                where = f"{path.relative_to(root).as_posix()}:{number}"
                report.failures.append(Failure(where, target, problem))
    return report


def markdown_links(path: Path) -> Iterator[tuple[int, str]]:
    """Each link target with its line number, outside code blocks and code spans."""
    for number, line in _prose_lines(path):
        for match in MARKDOWN_LINK.finditer(line):
            target = next(group for group in match.groups() if group is not None)
            yield number, target.strip("<>")


def _prose_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines outside fenced code, with inline code blanked out."""
    fence = ""
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        opening = FENCE.match(line)
        if fence:
            if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening[1]
            continue
        yield number, re.sub(r"(`+).*?\1", lambda m: " " * len(m[0]), line)


def _markdown_link_problem(root: Path, page: Path, target: str) -> str | None:
    """What is wrong with one relative Markdown link, or None."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None  # a web address (or mailto:): the online checker's job
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    base = root if path.startswith("/") else page.parent  # GitHub: / is the repository
    file = (base / path.lstrip("/")).resolve() if path else page
    if not file.exists():
        return "no such file"
    if fragment and file.suffix == ".md" and fragment.casefold() not in markdown_anchors(file):
        return f"no heading with the anchor #{fragment} in {file.name}"
    # A fragment on another kind of file is GitHub's (``#L10`` for a line).
    return None


def markdown_anchors(path: Path) -> set[str]:
    """The anchors GitHub makes for a Markdown file's headings and HTML ids."""
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    previous = ""
    for _, line in _prose_lines(path):
        anchors.update(m[1].casefold() for m in re.finditer(r"""(?:id|name)=["']([^"']+)""", line))
        atx = HEADING.match(line)
        setext = previous.strip() and SETEXT_UNDERLINE.match(line)
        text = atx[2] if atx else previous if setext else None
        previous = line
        if text is not None:
            slug = github_slug(text)
            anchors.add(f"{slug}-{counts[slug]}" if slug in counts else slug)
            counts[slug] = counts.get(slug, 0) + 1
    return anchors


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation gone, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


