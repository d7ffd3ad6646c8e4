"""The handbook's text: plain English, cited, free of the source copies' junk."""

import re

import pytest
from bs4 import BeautifulSoup

from utils import ROOT
from handbook.tools.prose import flesch_reading_ease, page_prose, prose_lines, style_problems

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
SOURCES = ROOT.parent / "shared" / "sources"

# From the content brief: what the five source copies carry that is not the article.
JUNK = [
    "What Is Partial Hospitalization", "How Psychodynamic Therapy Works",
    "How Do Mood Stabilizers Work", "Mental Health Rights In The Workplace",
    "What Are Harm Reduction Strategies", "Blog Article", "Leave a Reply",
    "Your email address will not be published", "Required fields are marked",
    "psychiatric hospital near me", "individual therapy", "dual diagnosis treatment",
    "mental health treatment near me", "preconception", "searchings for", "drains pipes",
]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("’", "'"))


@pytest.fixture(scope="module")
def site(book) -> dict:
    """Every HTML file of the built site, parsed once: path -> soup."""
    return {page: BeautifulSoup(page.read_text(), "html.parser") for page in book.html.rglob("*.html")}


@pytest.fixture(scope="module")
def site_text(site) -> str:
    return "\n".join(soup.get_text(" ") for soup in site.values())


@pytest.fixture(scope="module")
def pdf_text(book, printed) -> str:
    doctree = BeautifulSoup((book.pdf.parent / "index.html").read_text(), "html.parser")
    return doctree.get_text(" ") + "\n" + "\n".join(page.text for page in printed(book.pdf))


def test_no_latin_abbreviations_or_us_spellings():
    problems = [str(problem) for page in PAGES for problem in style_problems(page)]
    assert not problems, "\n".join(problems)


def test_the_handbook_reads_as_plain_english():
    whole = "\n\n".join(page_prose(page) for page in PAGES)
    assert flesch_reading_ease(whole) >= 60


def test_every_page_has_a_one_line_description():
    for page in PAGES:
        front = re.match(r"---\n(.*?)\n---\n", page.read_text("utf-8"), re.DOTALL)
        assert front and re.search(r"^description: \S.{10,}$", front[1], re.M), page


def test_junk_of_the_source_copies_is_nowhere(site_text, pdf_text):
    for text in (site_text, pdf_text):
        found = [junk for junk in JUNK if junk.lower() in text.lower()]
        assert not found


@pytest.mark.skipif(not SOURCES.is_dir(), reason=(
    "checks that no page copies ten words in a row from the texts the handbook was written "
    f"from; they are kept outside the repository, in {SOURCES} (a folder named shared/sources "
    "beside this checkout). Ask the maintainers for that folder and put it there to run this "
    "check; for an ordinary edit it is safe to leave it skipped"))
def test_no_run_of_ten_words_from_a_source_copy():
    def runs(words):
        return {tuple(words[i:i + 10]) for i in range(len(words) - 9)}

    source_runs = set().union(*(runs(_words(p.read_text())) for p in SOURCES.glob("*.txt")))
    for page in PAGES:
        prose = " ".join(line for _, line in prose_lines(page.read_text("utf-8")))
        copied = runs(_words(prose)) & source_runs
        assert not copied, f"{page}: {' '.join(sorted(copied)[0])}"


def test_every_citation_is_in_the_bibliography_of_site_and_pdf(book, pdf_text):
    keys = re.findall(r"@\w+\{([^,]+),", (DOCS / "references.bib").read_text())
    cited = set(re.findall(r"\{cite:[pt]\}`([^`]+)`", "".join(p.read_text() for p in PAGES)))
    cited = {key.strip() for group in cited for key in group.split(",")}
    assert cited and cited <= set(keys)
    references = BeautifulSoup((book.html / "references.html").read_text(), "html.parser")
    entries = references.select("div.citation")
    assert len(entries) == len(cited)
    printed = " ".join(pdf_text.replace("\u00a0", " ").split())
    for entry in entries:
        label = entry.select_one("span.label")
        if label:
            label.decompose()  # [Billsborough and others, 2017]: the PDF lays it out apart
        opening = " ".join(entry.get_text(" ", strip=True).replace("\u00a0", " ").split())[:40]
        assert opening in printed, opening
        doi = entry.select_one('a[href^="https://doi.org/"]')
        assert doi or "doi" not in entry.get_text().lower()


def test_getting_help_now_is_linked_from_every_page(book, site, config):
    prefix = config["notfound_urls_prefix"]  # the 404 page's links start at the site's root
    for page, soup in site.items():
        if not soup.select_one("article"):
            continue  # search and index pages have no article
        links = [a for a in soup.select("a[href]") if a.get_text(strip=True) == "Get help now"]
        assert links, page
        href = links[0]["href"].split("#")[0]
        if href.startswith(prefix):
            target = (book.html / href.removeprefix(prefix)).resolve()
        else:
            target = (page.parent / href).resolve() if href else page.resolve()
        assert target == (book.html / "help-now.html").resolve(), page
        assert (links[0].get("aria-current") == "page") == (target == page.resolve()), page


def test_every_glossary_term_is_used(book, site):
    glossary = site[book.html / "glossary.html"]
    terms = [dt["id"] for dt in glossary.select("dl.glossary dt[id]")]
    assert terms
    used = {
        a["href"].split("#")[-1]
        for soup in site.values() for a in soup.select("a.reference.internal[href*='#term-']")
    }
    unused = [term for term in terms if term not in used]
    assert not unused
