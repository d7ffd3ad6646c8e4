"""CITATION.cff: valid CFF 1.2.0, and the same facts as conf.py and the About page (issue 10)."""

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from utils import ROOT
from ruamel.yaml import YAML

CITATION = ROOT / "CITATION.cff"


@pytest.fixture(scope="module")
def cff() -> dict:
    return YAML(typ="safe").load(CITATION.read_text("utf-8"))


NO_CFFCONVERT = ("cffconvert (the Citation File Format's own validator) is not installed: "
                 "run `make` to install requirements.lock into .venv (it pins cffconvert)")


def test_the_citation_file_is_valid_cff():
    cffconvert = pytest.importorskip("cffconvert", reason=NO_CFFCONVERT)
    cffconvert.Citation(CITATION.read_text("utf-8")).validate()  # raises if not valid


def test_the_validator_rejects_a_broken_file():
    cffconvert = pytest.importorskip("cffconvert", reason=NO_CFFCONVERT)
    broken = CITATION.read_text("utf-8").replace("date-released: ", "date-released: on ")
    with pytest.raises(Exception, match="date-released"):
        cffconvert.Citation(broken).validate()


def _date(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def test_the_citation_file_gives_conf_py_s_facts(cff, config):
    assert cff["cff-version"] == "1.2.0"
    for facts in (cff, cff["preferred-citation"]):
        assert facts["title"] == config["project"]
        assert facts["authors"] == [{"name": config["author"]}]
        assert facts["url"] == config["html_baseurl"]
    assert cff["abstract"] == config["handbook_subtitle"]
    assert cff["version"] == cff["preferred-citation"]["edition"] == config["release"]
    assert _date(cff["date-released"]) == config["release_date"]
    assert str(cff["preferred-citation"]["year"]) == config["release_date"][:4]
    assert cff["repository-code"] == config["repository_url"]
    assert cff["license"] == config["handbook_licence"].replace(" ", "-")
    assert cff["keywords"] == config["pdf_keywords"]


def test_the_about_page_cites_the_handbook_as_the_citation_file_does(book, cff):
    soup = BeautifulSoup((book.html / "about.html").read_text("utf-8"), "html.parser")
    heading = next(h for h in soup.select("h2") if "cite" in h.get_text().lower())
    citation = " ".join(heading.find_parent("section").select_one("blockquote").get_text().split())
    reference = cff["preferred-citation"]
    expected = (f"{reference['authors'][0]['name']} ({reference['year']}). {reference['title']}, "
                f"edition {reference['edition']}. {reference['url']}")
    assert re.sub(r"\s+", " ", citation) == expected
