"""The pages a browser sweep opens (site_in_browser.sweep): every page of a
book of up to SWEEP_PAGES, and of a bigger one every kind of page and a
spread of the rest, so that a sampled sweep still meets each kind of markup."""

from pathlib import Path

from site_in_browser import kind, sweep

PROSE = "<article><h1>{n}</h1><p>Words {n}, <a class='reference internal' href='x{n}.html'>a link</a>.</p></article>"
TABLE = "<article><h1>{n}</h1><table class='table'><tr><th>A</th></tr><tr><td>{n}</td></tr></table></article>"
NOTE = "<article><h1>{n}</h1><div class='admonition note'><p>Note {n}</p></div></article>"


def _site(folder: Path, pages: dict[str, str]) -> list[str]:
    for name, html in pages.items():
        (folder / name).write_text(f"<html><body><nav>menu</nav>{html}</body></html>", "utf-8")
    return list(pages)


def test_a_book_of_up_to_the_limit_is_swept_whole(tmp_path):
    paths = _site(tmp_path, {f"p{n:03}.html": PROSE.format(n=n) for n in range(20)})
    assert sweep(tmp_path, paths, most=20) == paths
    assert sweep(tmp_path, paths, most=0) == paths  # 0: every page


def test_a_bigger_book_is_swept_by_every_kind_and_a_spread_of_the_rest(tmp_path):
    pages = {f"p{n:03}.html": (PROSE if n % 10 else TABLE).format(n=n) for n in range(100)}
    pages["p100.html"] = NOTE.format(n=100)  # the only page of its kind, last
    paths = _site(tmp_path, pages)
    chosen = sweep(tmp_path, paths, most=10)
    assert len(chosen) == 10 and chosen == sorted(chosen)
    assert {kind(pages[p]) for p in chosen} == {kind(html) for html in pages.values()}
    assert "p100.html" in chosen
    spread = [p for p in chosen if p not in ("p000.html", "p001.html", "p100.html")]
    assert spread[0] < "p010.html" and spread[-1] >= "p090.html", chosen  # from end to end


def test_a_kind_is_the_markup_not_the_words_or_addresses():
    assert kind(PROSE.format(n=1)) == kind(PROSE.format(n=2))
    assert kind(PROSE.format(n=1)) != kind(PROSE.format(n=1).replace("internal", "external"))
    assert kind(PROSE.format(n=1)) != kind(PROSE.format(n=1).replace("<a ", "<a style='color: red' "))
    # Only the article counts: every page carries the same menu around it.
    assert kind("<nav><ul></ul></nav>" + NOTE.format(n=1)) == kind(NOTE.format(n=1))


def test_the_pages_always_swept_are_kept(tmp_path):
    paths = _site(tmp_path, {f"p{n:03}.html": PROSE.format(n=n) for n in range(100)})
    chosen = sweep(tmp_path, paths, most=5, always=("p050.html", "p051.html", "no-such-page.html"))
    assert {"p050.html", "p051.html"} <= set(chosen) and "no-such-page.html" not in chosen
    assert len(chosen) == 5
