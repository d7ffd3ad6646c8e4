"""Every phone number on the site is one tap away: a tel: or sms: link that dials what it shows.

Issue 10: a reader in crisis must be able to call or text a number by
tapping it, and the phone must dial the digits the reader sees. So every
phone number in a page's text is inside an ``<a href="tel:...">`` (to call)
or ``<a href="sms:...">`` (to text), and each such link's text shows the
number it dials (spaces and dashes aside; ``+44`` written as the leading 0).

A name with a number in it that is not one to dial, such as the 999 BSL
app, is marked in the page as ``[999 BSL]{.not-a-phone-number}``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString
from utils import ROOTS, SOURCES, build_in_process

# What a phone number looks like in the text (a reader's, not a machine's).
PHONE = re.compile(r"""
    \+\d{1,3}(?:[ -]?\d{1,4}){1,5}                        # international: +353 1 234 5678
  | (?<![\d.,])(?:18001|18000)(?:[ -]\d{2,4}){0,4}         # Relay UK's prefixes, and a number
  | (?<![\d.,])0\d{2,4}(?:[ -]\d{2,4}){1,3}(?![.,]?\d)     # UK: 0800 1111, 0808 808 8000
  | (?<![\d.,])116[ -]?1\d\d(?!\d)                        # 116 123, 116 111
  | (?<![\d.,/-])(?:999|111|112|988|85258|50808)(?![.,]?\d)  # short codes
""", re.VERBOSE)
LINKED = ("tel:", "sms:")
NOT_TEXT = ("script", "style", "code", "pre")
NOT_A_NUMBER = "not-a-phone-number"  # the class of a name such as "999 BSL"
# The list of references names its sources ("NHS 111 Wales"), it does not give numbers to dial.
NOT_DIALLED = {NOT_A_NUMBER, "citation"}


def dialled(number: str) -> str:
    """The digits a phone dials for a number, written nationally (+44 20 as 020)."""
    digits = re.sub(r"\D", "", number)
    return "0" + digits[2:] if number.lstrip().startswith("+44") else digits


def _shows_an_address(tag) -> bool:
    """A link that shows a web address: its digits are part of the address."""
    return tag.name == "a" and tag.get_text().startswith(("http://", "https://", "www."))


def phone_problems(page: Path) -> list[str]:
    """Each number on a built page that is not a link, and each link that dials another."""
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    body = soup.select_one("main") or soup.body
    problems = []
    for link in body.select("a[href]"):
        href = link["href"]
        if not href.startswith(LINKED):
            continue
        target = href.split(":", 1)[1].split("?", 1)[0]
        shown = [m[0] for m in PHONE.finditer(link.get_text(" "))]
        if [dialled(n) for n in shown] != [dialled(target)]:
            problems.append(f"“{link.get_text(' ', strip=True)}” dials {target}: the link's "
                            "text must show the number it dials")
    for text in body.find_all(string=True):
        if not isinstance(text, NavigableString) or any(
                parent.name in NOT_TEXT or NOT_DIALLED & set(parent.get("class", []))
                or (parent.name == "a" and parent.get("href", "").startswith(LINKED))
                or _shows_an_address(parent)
                for parent in text.parents):
            continue
        for number in PHONE.finditer(str(text)):
            problems.append(f"{number[0]} is not a tel: or sms: link: write it as "
                            f"[{number[0]}](tel:{dialled(number[0])})")
    return problems


def test_a_number_that_is_not_a_link_or_dials_another_is_found(make_app, tmp_path):
    built = build_in_process(make_app, ROOTS / "phone-links", tmp_path, "html")
    assert built.status == 0, built.warnings
    assert phone_problems(built.outdir / "index.html") == [
        "“0808 808 8000” dials 08088088001: the link's text must show the number it dials",
        "“Call the helpline” dials 116123: the link's text must show the number it dials",
        "0800 1111 is not a tel: or sms: link: write it as [0800 1111](tel:08001111)",
    ]


@pytest.mark.parametrize("number", ["999", "111", "116 123", "0800 1111", "0808 808 8000",
                                    "85258", "18001 116 123", "+353 1 234 5678", "988",
                                    "0800 83 85 87", "50808", "112"])
def test_each_kind_of_number_is_recognised(number):
    assert [m[0] for m in PHONE.finditer(f"Call {number} now.")] == [number]


@pytest.mark.parametrize("text", ["In 2021, 1,524 people", "an effect of 0.2", "9990 steps",
                                  "doi.org/10.1111/abc", "1 December 2026", "edition 1.0"])
def test_other_numbers_are_not_phone_numbers(text):
    assert not PHONE.search(text)


def test_every_phone_number_on_the_site_is_a_link_that_dials_it(book):
    problems = [f"{doc}.html: {problem}" for doc in SOURCES
                for problem in phone_problems(book.html / doc.with_suffix(".html"))]
    assert not problems, "\n".join(problems)
