"""The bigger handbook ``make bench SCALE=N`` times (handbook/tools/scale.py).

Its copies must pass every check a build makes (or the bench would time a
failure), so the same headings and labels cannot appear twice, and it must
be the same book each time, or two runs could not be compared.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from utils import ROOT, ROOTS, review_settings
from handbook.tools.scale import CHAPTERS, make_book, pages

LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$", re.M)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale") / "docs"
    added = make_book(ROOT / "docs", out, 3)
    return out, added


def _headings(docs):
    found = Counter()
    for page in pages(docs):
        fence = False
        for line in page.read_text("utf-8").splitlines():
            if line.startswith("```"):
                fence = not fence
            elif not fence and re.match(r"#{1,6} ", line):
                found[line] += 1
    return found


def test_the_book_has_about_n_times_the_pages(book):
    docs, added = book
    base = len(pages(ROOT / "docs"))
    assert 3 * base <= len(pages(docs)) < 3 * base + 6
    assert {name.rsplit("-", 1)[0] for name in added} == set(CHAPTERS)


def test_each_copy_is_a_chapter_of_the_start_page(book):
    docs, added = book
    index = (docs / "index.md").read_text("utf-8")
    assert all(f"\n{name}/index\n" in index for name in added)


def test_no_heading_and_no_label_is_there_twice(book):
    docs, _ = book
    originals = _headings(ROOT / "docs")
    repeated = [h for h, n in _headings(docs).items() if n > originals.get(h, 1)]
    assert not repeated
    labels = Counter(m for page in pages(docs) for m in LABEL.findall(page.read_text("utf-8")))
    assert [label for label, n in labels.items() if n > 1] == []


def test_the_copies_have_other_words_but_keep_the_markup(book):
    docs, _ = book
    original = (ROOT / "docs" / "benefits" / "empathy.md").read_text("utf-8")
    copy = (docs / "benefits-2" / "empathy.md").read_text("utf-8")
    assert copy != original
    assert copy.count("{term}`") == original.count("{term}`")
    assert copy.split("---")[1] == original.split("---")[1]  # the front matter


def test_the_same_book_each_time(book, tmp_path):
    docs, _ = book
    again = tmp_path / "docs"
    make_book(ROOT / "docs", again, 3)
    assert [p.read_bytes() for p in pages(again)] == [p.read_bytes() for p in pages(docs)]


# What `_make` reports, run in a process of its own: it makes that process
# the parent of what make leaves (the warm server), which a test process
# shared with other tests must not become.
MAKE_TIMED = """
import json, sys
from pathlib import Path
from handbook.tools import scale
if sys.argv[3] == "unadopted":
    scale._adopt_orphans = lambda: None
print(json.dumps(scale._make(Path(sys.argv[1]), Path(sys.argv[2]))))
"""


def test_the_bench_counts_the_processor_time_of_the_warm_writers(tmp_path):
    """make's writers are forked by the warm server, which outlives the read
    that started it: the bench adopts and waits for it, or their time is lost."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOTS / "test-small-book", docs, ignore=shutil.ignore_patterns("conf.py"))
    settings = " ".join(f"-D {name}={value}" for name, value in review_settings(False).items())
    env = {**os.environ, "SPHINXOPTS": settings, "PYTHONPATH": str(ROOT)}
    cpu = {}
    for way in ("unadopted", "adopted"):
        timed = subprocess.run(
            [sys.executable, "-c", MAKE_TIMED, str(tmp_path / way), str(docs), way],
            capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        cpu[way] = json.loads(timed.stdout)[1]
    # The three writers of the small book take some seconds between them.
    assert cpu["adopted"] > cpu["unadopted"] + 1.0, cpu


def _figures(n: int) -> dict[str, float]:
    """Every figure time_book gives for the N× book, each N (pages: 30 N)."""
    from handbook.tools.scale import MADE, STAGES

    keys = [*STAGES, *(f"{stage} cpu" for stage in MADE), "site links checked", "site bytes", "page bytes"]
    return {"pages": 30.0 * n, **{key: float(n) for key in keys}}


def test_the_report_shows_make_test_when_it_was_timed():
    from handbook.tools.scale import TEST_STAGE, report

    results = {n: _figures(n) for n in (1, 10)}
    assert TEST_STAGE not in report(results)
    results[1]["test"], results[10]["test"] = 270.0, 510.0
    row = next(line for line in report(results).splitlines() if line.startswith(TEST_STAGE))
    assert row.split()[-3:] == ["510.0", "s", "×1.9"], row


def test_make_test_is_timed_only_with_a_scale():
    from handbook.tools.bench import main

    with pytest.raises(SystemExit) as exit:
        main(["--with-tests"])
    assert exit.value.code == 2


def test_a_make_test_that_failed_is_shown_as_failed_beside_the_other_figures():
    from handbook.tools.scale import STAGES, TEST_STAGE, report

    results = {n: _figures(n) for n in (1, 10, 30)}
    results[1]["test"], results[10]["test"], results[30]["test"] = 270.0, 510.0, float("nan")
    lines = report(results).splitlines()
    row = next(line for line in lines if line.startswith(TEST_STAGE))
    assert row.split()[-3:] == ["510.0", "s", "failed"], row  # no growth from a failure
    html = next(line for line in lines if line.startswith(STAGES["html"]))
    assert html.split()[-1] == "×30.0", html  # the other stages are all still there


def test_the_bench_prints_every_figure_and_fails_when_make_test_failed(monkeypatch, capsys):
    from handbook.tools import scale

    def timed(n, work, tests):
        return {**_figures(n), "test": float("nan") if n == 30 else 100.0 * n}

    monkeypatch.setattr(scale, "time_book", timed)
    assert scale.bench(10, 30, tests=True) == 1
    out, err = capsys.readouterr()
    assert scale.STAGES["html"] in out and "failed" in out
    assert "make test failed on the 30× book" in err and "DOCS=OUT make test" in err
