"""The site's search index is stemmed by PyStemmer, Snowball's C stemmer, as
by Sphinx's pure-Python one: the same stem for every word of the book.

snowballstemmer (what Sphinx calls) hands its work to PyStemmer when it is
installed (requirements.in says why); the browser's search stems the
reader's words with Snowball's JavaScript English stemmer, so the index
must hold the stems Snowball's own algorithm gives.
"""

import re

import snowballstemmer
import Stemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from utils import ROOT


def test_sphinx_stems_with_pystemmer():
    assert isinstance(snowballstemmer.stemmer("english"), Stemmer.Stemmer)


def test_each_word_of_the_book_has_the_stem_snowballs_python_stemmer_gives():
    text = " ".join(page.read_text("utf-8") for page in (ROOT / "docs").rglob("*.md"))
    words = sorted(set(re.findall(r"[^\W\d_]+", text.lower())))
    c_stems = Stemmer.Stemmer("english").stemWords(words)
    python_stems = EnglishStemmer().stemWords(words)
    differ = {word: (c, python) for word, c, python in zip(words, c_stems, python_stems, strict=True)
              if c != python}
    assert len(words) > 1000  # the book's words were read
    assert differ == {}
