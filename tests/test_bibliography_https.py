"""A plain http:// address in references.bib stops the build, as one in a page does (issue 13).

The reference list links each source's address, so an entry's ``url`` or
``howpublished`` field keeps the site's promise of secure links
(``handbook.sphinxext.checks.check_bibliography_https``).
"""

import re

from utils import ROOTS, sphinx_build

from handbook.sphinxext.checks import insecure_sources

WARNING = re.compile(r"^(?P<location>\S+): WARNING: (?P<message>.*)\n    How to fix: (?P<fix>.+)$",
                     re.M)
ROOT_NAME = "bibliography-insecure-url"


def test_an_http_url_in_the_bibliography_stops_the_build_naming_file_line_and_fix(tmp_path):
    result = sphinx_build(ROOTS / ROOT_NAME, tmp_path / "out", builder="dummy")
    assert result.returncode != 0, result.stderr
    warnings = WARNING.findall(result.stderr)
    assert len(warnings) == 1, result.stderr  # the url line; not the note, not the https one
    location, message, fix = warnings[0]
    assert location == f"tests/roots/{ROOT_NAME}/references.bib:13", result.stderr
    assert "http://www.example.org/groups" in message
    assert "https://www.example.org/groups" in fix and "references.bib" in fix


def test_howpublished_and_a_value_over_two_lines_are_read_too(tmp_path):
    bib = tmp_path / "references.bib"
    bib.write_text(
        "@misc{a,\n"
        "  title        = {A},\n"
        "  howpublished = {\\url{http://example.org/a}},\n"
        "}\n"
        "@misc{b,\n"
        "  url = {\n"
        "    http://example.org/b},\n"
        "  note = {see http://example.org/c},\n"
        "}\n"
        "@misc{c,\n"
        "  url = {https://example.org/d},\n"
        "  howpublished = {Preview at http://127.0.0.1:8000},\n"
        "}\n", "utf-8")
    assert insecure_sources(bib) == [
        (3, "howpublished", "http://example.org/a"),
        (7, "url", "http://example.org/b"),
    ]
