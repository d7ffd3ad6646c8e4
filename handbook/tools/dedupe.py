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

Ideas, too. A single sentence can restate another page's point in other
words ("peer support adds to care and does not replace it") without
sharing a skeleton, and below MIN_WORDS. So every sentence (and every two
in a row: an idea may take two) with at least MIN_IDEA_WORDS concepts is
also compared with those of other pages on its concepts: its content
stems, synonyms merged, less the handbook's topic (TOPIC: "peer",
"support", "group" and the like), which every page shares, and GENERIC
words. Two sentences that share at least MIN_SHARED
concepts, with a Dice overlap from IDEA_THRESHOLD, state the same idea,
unless they name fewer than MIN_IDEA_UNION between them: a repeated
one-line reminder ("Call 999 if you are in danger") is allowed, and so is
a sentence whose paragraph links to the other's page (a Markdown link, a
``{doc}`` or a ``{ref}`` role), or two that link to
the same page: reminders that point to the full statement.
Sentences that share only the topic, or a word or two of it, pass.

Only candidate pairs are compared: each unit is indexed by its rarest
stems (prefix filtering), and two units are compared only if they share
one. A pair that could reach MIN_CONTENT, or MIN_SHARED concepts, always
shares one, so the result is the same as comparing every pair, and the
time grows with the pairs that share a rare word, not with all pairs.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from math import ceil
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import snowballstemmer

from handbook.tools.dedupe_words import (  # noqa: F401 - SYNONYMS: the tests read it
    FUNCTION_WORDS,
    GENERIC,
    PHRASES,
    SYNONYMS,
    TOPIC,
)
from handbook.tools.myst_text import Finding, linked_passages, passages

THRESHOLD = 0.55  # similarity at which two units say the same thing
MIN_CONTENT = 0.2  # below this content overlap, a shared skeleton is only style
MIN_WORDS = 8  # units with fewer content words are too short to judge
MIN_RUN = 2  # shortest run of function words that counts as shared skeleton
IDEA_THRESHOLD = 0.6  # Dice overlap of concepts at which two sentences state one idea
MIN_SHARED = 3  # concepts two sentences must share to state one idea
MIN_IDEA_WORDS = 3  # sentences with fewer concepts are too short to judge
MIN_IDEA_UNION = 4  # nor are two that name fewer concepts between them (a repeated reminder)
STEM = cache(snowballstemmer.stemmer("english").stemWord)

PHRASE = re.compile(r"\b(" + "|".join(map(re.escape, PHRASES)) + r")\b")
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9])")
LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$", re.M)  # a MyST target, (name)=, on its own line

@dataclass(frozen=True)
class Duplicate(Finding):
    """Two places in the handbook that say the same thing (``path:line`` and the other)."""

    other_path: Path
    other_line: int
    similarity: float
    shared: tuple[str, ...] = ()  # for an idea: the words that carry it

    @property
    def message(self) -> str:
        if self.shared:
            words = ", ".join(f"“{word}”" for word in self.shared)
            return (f"states the same idea as {self.other_path}:{self.other_line} ({words}); "
                    "say it once, where it belongs, and link to it from the other")
        return (f"says the same as {self.other_path}:{self.other_line}"
                f" (similarity {self.similarity:.2f}); keep it in one place and link to it"
                " from the other")


@dataclass(frozen=True)
class Unit:
    """One or more sentences of a passage, and where they start."""

    path: Path
    line: int
    passage: int  # the line the paragraph or list item starts on
    text: str
    links: frozenset[Path] = frozenset()  # the pages its paragraph links to


def _build_synonyms() -> dict[str, str]:
    """Map the stem of each word in SYNONYMS to the stem of its group's first word."""
    table = {}
    for group in SYNONYMS.strip().splitlines():
        first, *others = group.split()
        for word in others:
            table[STEM(word)] = STEM(first)
    return table


SYNONYM_STEMS = _build_synonyms()
NOT_IDEAS = frozenset(SYNONYM_STEMS.get(STEM(word), STEM(word)) for word in TOPIC | GENERIC)


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


def sentences(path: Path, top: Path | None = None,
              labels: dict[str, Path] | None = None) -> list[Unit]:
    """Each sentence of a page, and each two in a row, with enough concepts to state an idea.

    An idea often takes two short sentences ("It works alongside care. It
    never replaces it."), so each is compared with its neighbour joined too.
    """
    found = []
    for (start, text), targets in linked_passages(path.read_text("utf-8")):
        links = frozenset(_linked_page(path, target, top or path.parent, labels or {})
                          for target in targets) - {None}
        parts = _sentences(text)
        pairs = [(line, f"{first} {second}")
                 for (line, first), (_, second) in zip(parts, parts[1:], strict=False)]
        found += [Unit(path, start + offset, start, sentence, links)
                  for offset, sentence in parts + pairs
                  if len(concepts(sentence)) >= MIN_IDEA_WORDS]
    return found


def _linked_page(path: Path, target: str, top: Path, labels: dict[str, Path]) -> Path | None:
    """The page a link of ``path`` goes to: ``page.md``, ``/page.md`` from ``top``, or ``#label``."""
    if target.startswith("#"):
        return labels.get(target[1:])
    return _page(top / target.lstrip("/") if target.startswith("/") else path.parent / target)


def labels_defined(paths: list[Path]) -> dict[str, Path]:
    """Each ``(label)=`` target of these pages, and the page it stands in."""
    return {match[1]: _page(path) for path in paths
            for match in LABEL.finditer(path.read_text("utf-8"))}


def _page(path: Path) -> Path:
    return Path(os.path.normpath(path.absolute()))


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


@cache
def concepts(text: str) -> frozenset[str]:
    """A text's content stems, synonyms merged, less the handbook's topic and generic words."""
    return features(text).stems - NOT_IDEAS


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


def candidate_pairs(sets: list[frozenset[str]],
                    least_shared: Callable[[int], int]) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, of sets that may share least_shared(size) items or more.

    Prefix filtering: with the items of every set ordered rarest first, two
    sets that share k items share one among the first len - k + 1 of each.
    So each set is indexed by that prefix only, and the common items, which
    would pair nearly everything, are left out of it.
    """
    frequency = Counter(item for items in sets for item in items)
    index: dict[str, list[int]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    for number, items in enumerate(sets):
        ordered = sorted(items, key=lambda item: (frequency[item], item))
        for item in ordered[:max(len(ordered) - least_shared(len(ordered)) + 1, 0)]:
            pairs.update((other, number) for other in index[item])
            index[item].append(number)
    return sorted(pairs)


def _least_content_shared(size: int) -> int:
    """The fewest stems a unit of this size shares with one it is MIN_CONTENT alike with."""
    # Dice >= d needs 2k >= d (size + other), and other >= k, so k >= d size / (2 - d).
    return max(1, ceil(MIN_CONTENT * size / (2 - MIN_CONTENT) - 1e-9))


def _least_concepts_shared(size: int) -> int:
    return max(MIN_SHARED, ceil(IDEA_THRESHOLD * size / (2 - IDEA_THRESHOLD) - 1e-9))


def find_duplicates(paths: Iterable[Path]) -> list[Duplicate]:
    """Pairs of passages in these files that say the same thing, each at its most similar units."""
    paths = list(paths)
    best: dict[tuple[Path, int, Path, int], Duplicate] = {}
    ideas_found: dict[tuple[Path, int, Path, int], Duplicate] = {}

    def keep(found: dict, first: Unit, second: Unit, duplicate: Duplicate) -> None:
        key = (first.path, first.passage, second.path, second.passage)
        if key not in found or duplicate.similarity > found[key].similarity:
            found[key] = duplicate

    compared = [(unit, features(unit.text)) for path in paths for unit in units(path)]
    for i, j in candidate_pairs([f.stems for _, f in compared], _least_content_shared):
        (first, a), (second, b) = compared[i], compared[j]
        score = _score(a, b, floor=THRESHOLD)
        if score >= THRESHOLD and (first.path, first.passage) != (second.path, second.passage):
            keep(best, first, second, Duplicate(first.path, first.line, second.path,
                                                second.line, score))
    top = Path(os.path.commonpath([p.absolute().parent for p in paths])) if paths else Path()
    labels = labels_defined(paths)
    ideas = [unit for path in paths for unit in sentences(path, top, labels)]
    for i, j in candidate_pairs([concepts(unit.text) for unit in ideas], _least_concepts_shared):
        first, second = ideas[i], ideas[j]
        duplicate = same_idea(first, second)
        if duplicate and first.path != second.path and not _points_to(first, second):
            keep(ideas_found, first, second, duplicate)
    for key, duplicate in ideas_found.items():  # a reworded passage is the stronger finding
        best.setdefault(key, duplicate)
    return sorted(best.values(), key=lambda d: (d.path, d.line, d.other_path, d.other_line))


def _points_to(first: Unit, second: Unit) -> bool:
    """Whether either sentence's paragraph links to the other's page, or both to one page.

    Either is a reminder that points to the full statement, which is fine.
    """
    return (_page(second.path) in first.links or _page(first.path) in second.links
            or bool(first.links & second.links))


def same_idea(first: Unit, second: Unit) -> Duplicate | None:
    """The two sentences as a duplicate if they state the same idea, else None."""
    a, b = concepts(first.text), concepts(second.text)
    shared = a & b
    dice = 2 * len(shared) / (len(a) + len(b))
    if len(shared) < MIN_SHARED or dice < IDEA_THRESHOLD or len(a | b) < MIN_IDEA_UNION:
        return None
    words = [word for word in WORD.findall(first.text.lower())
             if SYNONYM_STEMS.get(STEM(word), STEM(word)) in shared]
    return Duplicate(first.path, first.line, second.path, second.line, dice,
                     tuple(dict.fromkeys(words)))


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
