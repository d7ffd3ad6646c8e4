"""Feedback: every page offers an email and an issue link that name the page (issue 10).

Neither route may need an account or send anything to another site than
the reader's own email program and the repository.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from utils import SOURCES, build_in_process



def _feedback_links(path):
    """The page's title and its footer's feedback links, by scheme."""
    soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
    links = {urlsplit(a["href"]).scheme: a["href"] for a in soup.select(".handbook-feedback a")}
    return soup.h1.get_text(strip=True).rstrip("#"), links


def _check_page(path, address: str, page_url: str, repository: str) -> None:
    title, links = _feedback_links(path)
    assert set(links) == {"mailto", "https"}, (path, links)
    mail = urlsplit(links["mailto"])
    assert mail.path == address
    fields = parse_qs(mail.query)
    assert fields["subject"] == [f"Feedback on “{title}”"], (path, fields)
    assert f"Page: {page_url}\n" in fields["body"][0]
    issue = urlsplit(links["https"])
    assert f"{issue.scheme}://{issue.netloc}{issue.path}" == f"{repository}/issues/new"
    fields = parse_qs(issue.query)
    assert fields["title"] == [f"Feedback on “{title}”"] and page_url in fields["body"][0]


def test_a_page_offers_an_email_and_an_issue_naming_it(make_app, tmp_path, config):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "references.bib").write_text("")
    (docs / "index.md").write_text("# Start here\n\n```{toctree}\nsub/page\n```\n")
    (docs / "sub").mkdir()
    (docs / "sub" / "page.md").write_text("# A page & more\n\nWords.\n")
    built = build_in_process(make_app, docs, tmp_path / "in", "html")
    assert built.status == 0, built.warnings
    base = config["html_baseurl"]
    _check_page(built.outdir / "sub" / "page.html", config["handbook_feedback_email"],
                f"{base}sub/page.html", config["repository_url"])
    _check_page(built.outdir / "index.html", config["handbook_feedback_email"],
                f"{base}index.html", config["repository_url"])


def test_every_page_of_the_site_offers_feedback_naming_it(book, config):
    for doc in SOURCES:
        _check_page(book.html / doc.with_suffix(".html"), config["handbook_feedback_email"],
                    f"{config['html_baseurl']}{doc.as_posix()}.html", config["repository_url"])


@pytest.mark.sphinx("html", testroot="small-book", srcdir="small-book-feedback",
                    confoverrides={"handbook_feedback_email": "editors@example.org",
                                   "handbook_feedback_issues": False})
def test_in_process_the_address_is_a_setting_and_the_issue_link_can_be_left_out(app):
    app.build()
    title, links = _feedback_links(app.outdir / "first.html")
    assert list(links) == ["mailto"]
    assert links["mailto"].startswith("mailto:editors@example.org?subject=")
    assert parse_qs(urlsplit(links["mailto"]).query)["subject"] == [f"Feedback on “{title}”"]
