"""Plain-English checks on the handbook's Markdown sources.

- ``style_problems``: Latin abbreviations ("e.g.", "i.e.", "etc.") and
  common US spellings, each with file, line and the fix.
- ``flesch_reading_ease``: the Flesch reading-ease score of a page's prose
  (60 or more reads as plain English).

``python -m handbook.tools.prose [DIR]`` prints each page's score and any problem,
and exits 1 when there is a problem.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from handbook.tools.myst_text import Finding, passages

LATIN = {
    r"\be\.\s?g\.": 'write "for example" or "such as" instead of "e.g."',
    r"\bi\.\s?e\.": 'write "that is" or rephrase instead of "i.e."',
    r"\betc\.": 'end the list or write "and so on" instead of "etc."',
}
US_SPELLINGS = {  # US spelling (a word start) -> its UK form
    "recogniz": "recognis", "organiz": "organis", "realiz": "realis",
    "specializ": "specialis", "emphasiz": "emphasis", "minimiz": "minimis",
    "apologiz": "apologis", "prioritiz": "prioritis", "hospitaliz": "hospitalis",
    "analyz": "analys", "behavior": "behaviour", "color": "colour", "favor": "favour",
    "honor": "honour", "center": "centre", "judgment": "judgement", "counselor": "counsellor",
    "pediatric": "paediatric",
}
US_WORD = re.compile(r"\b(" + "|".join(US_SPELLINGS) + r")(\w*)", re.IGNORECASE)
# Whole words only: "programmer", "programming" and "honorary" are UK spellings too.
US_WHOLE_WORDS = {"program": "programme", "programs": "programmes"}
US_WHOLE_WORD = re.compile(r"\b(" + "|".join(US_WHOLE_WORDS) + r")\b", re.IGNORECASE)
SAME_IN_UK = {"honorary", "honorarium", "honorific"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Problem(Finding):
    """One thing to change, and where."""

    message: str


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The prose of a MyST page, line by line, with markup removed (see myst_text)."""
    return [(start + number, line) for start, passage in passages(text)
            for number, line in enumerate(passage.split("\n")) if line]


def style_problems(path: Path) -> list[Problem]:
    """Latin abbreviations and US spellings in one page."""
    problems = []
    for number, line in prose_lines(path.read_text("utf-8")):
        for pattern, fix in LATIN.items():
            if re.search(pattern, line, re.IGNORECASE):
                problems.append(Problem(path, number, fix))
        for found in US_WORD.finditer(line):
            us_word = found.group(0)
            if us_word.lower() in SAME_IN_UK:
                continue
            uk_word = US_SPELLINGS[found.group(1).lower()] + found.group(2)
            problems.append(Problem(path, number, f'write "{uk_word}" (UK spelling), not "{us_word}"'))
        for found in US_WHOLE_WORD.finditer(line):
            us_word = found.group(0)
            uk_word = US_WHOLE_WORDS[us_word.lower()]
            problems.append(Problem(path, number, f'write "{uk_word}" (UK spelling), not "{us_word}"'))
    return problems


def syllables(word: str) -> int:
    """Estimate a word's syllables from its groups of vowels."""
    word = word.lower().strip("'’-")
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(count, 1)


def flesch_reading_ease(text: str) -> float:
    """Flesch reading ease: 206.835 - 1.015 words/sentence - 84.6 syllables/word."""
    sentences = [s for s in re.split(r"[.!?:;]+\s|\n\s*\n|[.!?]$", text) if WORD.search(s)]
    words = WORD.findall(text)
    if not words:
        return 100.0
    per_sentence = len(words) / max(len(sentences), 1)
    per_word = sum(syllables(w) for w in words) / len(words)
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word


def page_prose(path: Path) -> str:
    """A page's prose as paragraphs, for scoring.

    A list item or paragraph without a full stop still ends a sentence.
    """
    return "\n\n".join(" ".join(text.split("\n")) for _, text in passages(path.read_text("utf-8")))


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs")
    pages = sorted(folder.rglob("*.md"))
    problems = [problem for page in pages for problem in style_problems(page)]
    for page in pages:
        print(f"{flesch_reading_ease(page_prose(page)):6.1f}  {page}")
    whole = "\n\n".join(page_prose(page) for page in pages)
    print(f"{flesch_reading_ease(whole):6.1f}  (the whole handbook; 60 or more is plain English)")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
