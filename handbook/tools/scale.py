"""A bigger handbook, and every stage timed on it: ``make bench SCALE=N``.

`make_book` writes the handbook's sources with copies of its chapters added
until the book has about ``N`` times its pages (``python -m
handbook.tools.scale N OUT`` writes one). `bench` builds the book at 1× and
at N× in a temporary folder, with the Makefile's own targets, and prints each
stage's time beside the other, with how it grows (see `STAGES`).

The copies are made so that every check of the build still holds:

- each copy is a new chapter folder (``benefits-2/``, ``joining-3/`` ...),
  listed in the start page's chapter toctree after the chapters it copies;
- each heading ends with the copy's number, so no two headings are the same
  (the PDF puts every page into one document);
- each label, ``(name)=``, that a copied chapter defines becomes
  ``(name-K)=``, and the copy's ``{ref}`` roles to it follow; links to pages
  outside the chapter still reach the originals;
- the words of the prose are swapped, within each copy, for other words of
  the handbook of the same length (so the text varies from copy to copy but
  every word is still one the spelling check knows). Front matter, code,
  roles, links and raw HTML are left as they are.

The result depends only on the sources and ``N``: the same bytes each time.
No check is switched off for the copies: the spelling check, too, passes.
Nothing here is run by ``make test``.

``python -m handbook.tools.scale --profile DOCS OUT`` profiles the website
build by function, in processor time.

What the book's growth costs, stage by stage and by function, as last
measured, is in README.md ("How the build grows"); rerun ``make bench
SCALE="10 30"`` rather than trust old figures.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import random
import resource
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from handbook.shared import ROOT, STRICT, site_pages

# The chapters copied, in turn: ordinary prose pages, with no links into them
# by #anchor and no pictures (a copy of those would need its own files).
CHAPTERS = ("benefits", "joining")
# The start page's toctree the copies are added to (it lists CHAPTERS).
CHAPTER_TOCTREE = re.compile(r"(```\{toctree\}\n:caption: Peer support groups\n(?:.*\n)*?)```")
LABEL = re.compile(r"^\((?P<name>[^)\s]+)\)=\s*$")
HEADING = re.compile(r"^(#{1,6} .*?)\s*$")
# Spans of a line whose words are not prose: code, roles with their target,
# links with their address, raw HTML, web addresses.
PROTECTED = re.compile(
    r"\{[^}]*\}`[^`]*`|`[^`]*`|\]\([^)]*\)|<[^>]*>|https?://\S+|\[\^?[^\]]*\]:"
)
# A word with an apostrophe ("other's") is left whole: "parts's" is no word;
# so is a part of an address (samaritans.org), which is no word either.
WORD = re.compile(r"(?<![\w'’./@-])[a-z]{4,}(?![\w'’/@-]|\.\w)")
REF = re.compile(r"(\{ref\}`(?:[^`<]*<)?)([^`>]+)(>?`)")


def pages(docs: Path) -> list[Path]:
    return sorted(docs.rglob("*.md"))


def vocabulary(docs: Path) -> dict[int, list[str]]:
    """The handbook's lower-case prose words of four letters or more, by length."""
    words: set[str] = set()
    for page in pages(docs):
        for line in _prose_lines(page.read_text("utf-8")):
            words.update(WORD.findall(PROTECTED.sub(" ", line)))
    by_length: dict[int, list[str]] = defaultdict(list)
    for word in sorted(words):
        by_length[len(word)].append(word)
    return by_length


def _prose_lines(text: str) -> list[str]:
    """The lines of a page that hold prose (not front matter, fences, directives)."""
    return [line for line, kind in _classify(text) if kind == "prose"]


def _classify(text: str) -> list[tuple[str, str]]:
    """Each line of a page, and its kind: "prose" (its words may be swapped),
    "heading", "markup" (directives, labels, tables), "code" or "front matter"."""
    lines = text.splitlines()
    result, fence, front = [], "", bool(lines and lines[0] == "---")
    for number, line in enumerate(lines):
        if front:
            front = not (number > 0 and line == "---")
            result.append((line, "front matter"))
            continue
        stripped = line.lstrip()
        marker = re.match(r"(`{3,}|~{3,}|:{3,})", stripped)
        if fence:
            if marker and stripped.startswith(fence):
                fence = ""
            result.append((line, "code"))
            continue
        if marker and marker[1][0] == "`":
            fence = marker[1]
            result.append((line, "code"))
            continue
        if HEADING.match(line):
            result.append((line, "heading"))
        elif marker or stripped.startswith((":", "(", "#", "|", "{")):
            result.append((line, "markup"))
        else:
            result.append((line, "prose"))
    return result


def _swapper(by_length: dict[int, list[str]], seed: str):
    """A function that swaps each word for another of its length, the same way every time."""
    rng = random.Random(seed)
    mapping = {}
    for words in by_length.values():
        partners = list(words)
        rng.shuffle(partners)
        mapping.update(zip(words, partners, strict=True))
    return lambda match: mapping.get(match[0], match[0])


def _vary_line(line: str, swap) -> str:
    parts, last = [], 0
    for match in PROTECTED.finditer(line):
        parts.append(WORD.sub(swap, line[last:match.start()]))
        parts.append(match[0])
        last = match.end()
    parts.append(WORD.sub(swap, line[last:]))
    return "".join(parts)


def copy_page(text: str, number: int, labels: set[str], swap) -> str:
    """One page of a copied chapter (see the module's docstring)."""
    out = []
    for line, kind in _classify(text):
        label = LABEL.match(line)
        if label and label["name"] in labels:
            line = f"({label['name']}-{number})="
        elif kind == "heading":
            line = f"{HEADING.match(line)[1]} {number}"
        elif kind == "prose":
            line = _vary_line(line, swap)
        line = REF.sub(
            lambda m: m[1] + (f"{m[2]}-{number}" if m[2] in labels else m[2]) + m[3], line
        )
        out.append(line)
    return "\n".join(out) + "\n"


def make_book(docs: Path, out: Path, scale: int) -> list[str]:
    """Write the sources with copies added into ``out``; return the chapters added.

    ``out`` must not exist yet (it is written whole, never cleaned).
    """
    if scale < 1:
        raise ValueError(f"the scale is a whole number from 1, not {scale}")
    shutil.copytree(docs, out, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    target = scale * len(pages(docs))
    count = len(pages(docs))
    by_length = vocabulary(docs)
    added: list[str] = []
    number = 1
    while count < target:
        number += 1
        for chapter in CHAPTERS:
            if count >= target:
                break
            sources = pages(docs / chapter)
            labels = {
                m["name"] for page in sources
                for m in map(LABEL.match, page.read_text("utf-8").splitlines()) if m
            }
            name = f"{chapter}-{number}"
            swap = _swapper(by_length, name)
            for page in sources:
                copied = out / name / page.relative_to(docs / chapter)
                copied.parent.mkdir(parents=True, exist_ok=True)
                copied.write_text(copy_page(page.read_text("utf-8"), number, labels, swap), "utf-8")
            added.append(name)
            count += len(sources)
    if added:
        index = out / "index.md"
        text = index.read_text("utf-8")
        entries = "".join(f"{name}/index\n" for name in added)
        new, found = CHAPTER_TOCTREE.subn(lambda m: m[1] + entries + "```", text, count=1)
        if not found:
            raise SystemExit(f"{index}: no toctree with ':caption: Peer support groups' to add "
                             "the copies to (handbook/tools/scale.py, CHAPTER_TOCTREE)")
        index.write_text(new, "utf-8")
    return added


# -- Timing ------------------------------------------------------------------

STAGES = {
    "pdf": "PDF build (make pdf)",
    "epub": "EPUB build (make epub)",
    "html": "website build (make html)",
    "edit": "make after a one-word edit",
    "site links": "site link check (links.check_site)",
    "pdf links": "PDF link check (links.check_pdf)",
}
# With ``tests`` (make bench SCALE=N TESTS=1): every check, on each book.
TEST_STAGE = "make test on the book (DOCS=...)"


MADE = ("pdf", "epub", "html", "edit")  # the stages make runs: their processor time too


def _make(builddir: Path, docs: Path, *targets: str, log: Path | None = None) -> tuple[float, float]:
    """Seconds for the Makefile to make ``targets`` for these sources: on the
    clock, and of processor time (all its processes, so it does not depend on
    what else the machine is doing). Its output goes to ``log``, if given."""
    _adopt_orphans()
    cpu = _children_cpu()
    start = time.perf_counter()
    with open(log or os.devnull, "w") as output:
        subprocess.run(
            ["make", "--no-print-directory", "-s", f"BUILDDIR={builddir}", f"DOCS={docs}", *targets],
            cwd=ROOT, check=True, env={**os.environ, "MAKEFLAGS": ""}, stdout=output,
        )
    wall = time.perf_counter() - start
    # make's warm server (handbook/tools/warm_builds.py) outlives the read that
    # started it, and the writers are its children: adopted by this process,
    # it is waited for here (it ends with make), so their time counts too.
    with contextlib.suppress(ChildProcessError):
        while True:
            os.waitpid(-1, 0)
    return wall, _children_cpu() - cpu


def _adopt_orphans() -> None:
    """Become the parent of the processes make's processes leave (Linux's
    PR_SET_CHILD_SUBREAPER); elsewhere, their time is not counted."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _commit(folder: Path) -> None:
    """A git repository of the book, so "last updated" is looked up as in the real one."""
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "pages"]):
        subprocess.run(git + command, cwd=folder, check=True, capture_output=True)


def _edit_one_word(docs: Path) -> None:
    """Change one word of the longest chapter page for another the handbook uses."""
    page = max((p for p in pages(docs) if p.name != "index.md"), key=lambda p: p.stat().st_size)
    text = page.read_text("utf-8")
    words = vocabulary(docs)
    for line, kind in _classify(text):
        match = WORD.search(line) if kind == "prose" else None
        other = [w for w in words.get(len(match[0]), []) if w != match[0]] if match else []
        if other:
            edited = line[:match.start()] + other[0] + line[match.end():]
            page.write_text(text.replace(line, edited, 1), "utf-8")
            return
    raise SystemExit(f"{page}: no prose word to edit")


def time_book(scale: int, work: Path, tests: bool = False) -> dict[str, float]:
    """Build the book at ``scale`` in ``work`` and time each stage (and
    ``make test`` on it, with ``tests``)."""
    from handbook.tools import links

    docs, builddir = work / "docs", work / "_build"
    make_book(ROOT / "docs", docs, scale)
    _commit(work)
    times = {"pages": float(len(pages(docs)))}
    for stage in ("pdf", "epub", "html"):
        print(f"  {scale}×: {STAGES[stage]} ...", flush=True)
        times[stage], times[f"{stage} cpu"] = _make(builddir, docs, stage)
    html = builddir / "html"
    built = site_pages(html)
    times["site bytes"] = float(sum(p.stat().st_size for p in html.rglob("*") if p.is_file()))
    times["page bytes"] = sum(p.stat().st_size for p in built) / len(built)
    start = time.perf_counter()
    site = links.check_site(html, docs)
    times["site links"] = time.perf_counter() - start
    times["site links checked"] = float(site.checked)
    pdf = links.book_pdfs(builddir / "pdf")[0]
    start = time.perf_counter()
    printed = links.check_pdf(pdf, links.external_urls(html), builddir / "pdf" / "index.html", docs)
    times["pdf links"] = time.perf_counter() - start
    broken = site.failures + printed.failures
    if broken:
        raise SystemExit(f"the {scale}× book has broken links:\n" + "\n".join(map(str, broken)))
    print(f"  {scale}×: {STAGES['edit']} ...", flush=True)
    _edit_one_word(docs)
    times["edit"], times["edit cpu"] = _make(builddir, docs)
    if tests:
        print(f"  {scale}×: {TEST_STAGE} ...", flush=True)
        log = work / "make-test.txt"
        try:
            times["test"], _ = _make(builddir, docs, "test", log=log)
        except subprocess.CalledProcessError:
            # The other figures still count: the table shows this one as failed.
            times["test"] = math.nan
            failed = [line for line in log.read_text("utf-8", "replace").splitlines()
                      if line.startswith(("FAILED ", "ERROR "))]
            print(f"make test failed on the {scale}× book:", *failed, sep="\n  ",
                  file=sys.stderr, flush=True)
    return times


def bench(*scales: int, tests: bool = False) -> int:
    """Time every stage at 1× and at each of ``scales``, and print them side
    by side; with ``tests``, ``make test`` on each book too (minutes each)."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="handbook-scale-") as tmp:
        for n in sorted({1, *scales}):
            print(f"Building the {n}× book ...", flush=True)
            results[n] = time_book(n, Path(tmp) / f"x{n}", tests)
    print(report(results))
    failed = [n for n in results if math.isnan(results[n].get("test", 0.0))]
    if failed:
        print(f"make test failed on the {', '.join(f'{n}×' for n in failed)} book "
              f"(above, what failed). To see why: `python -m handbook.tools.scale {failed[0]} OUT`, "
              f"then `DOCS=OUT make test`.", file=sys.stderr)
        return 1
    return 0


def report(results: dict[int, dict[str, float]]) -> str:
    """The table: each stage at each scale, and how many times the first it took.

    Linear growth is the pages' ratio (the last line); at 1× the fixed costs
    (Python and Sphinx starting, the theme's stylesheets) weigh most.
    """
    scales = sorted(results)
    first, last = results[scales[0]], results[scales[-1]]
    titles = [f"{n}× ({results[n]['pages']:.0f} pages)" for n in scales]
    head = f"{'stage':46}" + "".join(f"{title:>18}" for title in titles) + f"{'growth':>8}"
    lines = [head, "-" * len(head)]
    rows = [(STAGES[stage], stage) for stage in STAGES]
    rows[4:4] = [(f"{STAGES[stage]}, CPU", f"{stage} cpu") for stage in MADE]
    if "test" in first:
        rows.append((TEST_STAGE, "test"))
    rows += [
        ("site links checked", "site links checked"), ("site size", "site bytes"),
        ("mean page size", "page bytes")]
    for label, key in rows:
        cells = [_cell(key, results[n][key]) for n in scales]
        ratio = last[key] / first[key] if len(scales) > 1 and first[key] else math.nan
        growth = "" if math.isnan(ratio) else f"×{ratio:.1f}"
        lines.append(f"{label:46}" + "".join(f"{c:>18}" for c in cells) + f"{growth:>8}")
    if len(scales) > 1:
        pages = "".join(f"{results[n]['pages']:>18.0f}" for n in scales)
        ratio = f"×{last['pages'] / first['pages']:.1f}"
        lines.append(f"{'pages (linear growth)':46}{pages}{ratio:>8}")
    return "\n".join(lines)


def _cell(key: str, value: float) -> str:
    if math.isnan(value):
        return "failed"
    if key.endswith("bytes"):
        return f"{value / 1e6:.1f} MB" if value >= 1e6 else f"{value / 1000:.0f} KB"
    if key.endswith("checked"):
        return f"{value:,.0f}"
    return f"{value:.1f} s"


def profile(docs: Path, out: Path, top: int = 20) -> str:
    """The website build of ``docs`` into ``out``, profiled by function in
    processor time (not the clock, which other work on the machine moves):
    the ``top`` functions by time spent in them and in what they call. The
    whole profile is left in ``out/website.prof``."""
    import cProfile
    import io
    import pstats

    from sphinx.cmd.build import build_main

    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(build_main, [*STRICT, "-c", str(ROOT), "-d", str(out / "doctrees"),
                                  "-b", "html", str(docs), str(out / "html")])
    profiler.dump_stats(out / "website.prof")  # for pstats or snakeviz, by caller too
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = sum(row[2] for row in stats.stats.values())  # every function's own time
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][3])[:top]
    lines = [f"website build of {docs}: {total:.1f} s of processor time", "share  cumulative  function"]
    for (file, line, name), (_, calls, _, cumulative, _) in rows:
        where = "/".join(Path(file).parts[-2:])
        lines.append(f"{cumulative / total:5.0%}  {cumulative:8.1f} s  {name} ({where}:{line}, {calls} calls)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 3 and argv[0] == "--profile":
        print(profile(Path(argv[1]), Path(argv[2])))
        return 0
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: python -m handbook.tools.scale N OUT  (OUT must not exist)\n"
              "       python -m handbook.tools.scale --profile DOCS OUT  (the website "
              "build, by function)", file=sys.stderr)
        return 2
    out = Path(argv[1])
    added = make_book(ROOT / "docs", out, int(argv[0]))
    print(f"{out}: {len(pages(out))} pages ({len(added)} chapters added)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
