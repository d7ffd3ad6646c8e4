"""The plain-English checks catch what they are for, and only that."""

from handbook.tools.prose import flesch_reading_ease, page_prose, style_problems


def _page(tmp_path, text):
    page = tmp_path / "page.md"
    page.write_text(text)
    return page


def test_latin_abbreviations_are_reported_with_line_and_fix(tmp_path):
    page = _page(tmp_path, "# Title\n\nSome groups, e.g. online ones.\n\nTea, cake etc.\n")
    problems = [str(p) for p in style_problems(page)]
    assert problems == [
        f'{page}:3: write "for example" or "such as" instead of "e.g."',
        f'{page}:5: end the list or write "and so on" instead of "etc."',
    ]


def test_us_spellings_get_their_uk_form(tmp_path):
    page = _page(tmp_path, "# Title\n\nWe recognized the behavior.\n")
    assert [p.message for p in style_problems(page)] == [
        'write "recognised" (UK spelling), not "recognized"',
        'write "behaviour" (UK spelling), not "behavior"',
    ]


def test_uk_words_that_share_a_us_stem_pass(tmp_path):
    page = _page(tmp_path, "# Title\n\nA programmer ran the programme; an honorary role.\n")
    assert style_problems(page) == []
    page = _page(tmp_path, "# Title\n\nThe program helps.\n")
    assert [p.message for p in style_problems(page)] == [
        'write "programme" (UK spelling), not "program"',
    ]


def test_code_front_matter_and_toctrees_are_not_prose(tmp_path):
    page = _page(tmp_path, (
        "---\ndescription: Colors, e.g. red.\n---\n# Title\n\n"
        "```python\ncolor = 'red'  # etc.\n```\n\n```{toctree}\ncenter\n```\n"
        ":::{note}\nA note is prose.\n:::\n\nAfter the note.\n"
    ))
    assert style_problems(page) == []
    assert page_prose(page) == "A note is prose.\n\nAfter the note."


def test_plain_sentences_score_higher_than_dense_ones():
    plain = "We meet on Tuesdays. You can come when you like. Bring a friend if you want."
    dense = ("Participation in facilitated psychosocial interventions demonstrates "
             "heterogeneous effectiveness across methodologically inconsistent evaluations.")
    assert flesch_reading_ease(plain) >= 80 > 20 >= flesch_reading_ease(dense)


def test_code_fenced_with_tildes_is_not_prose_either(tmp_path):
    # The two text checks read pages through one extractor (handbook/tools/myst_text.py);
    # each used to strip MyST by hand, and only the duplicate check knew ~~~ fences.
    page = _page(tmp_path, "# Title\n\n~~~text\ncolor = 'red'  # etc.\n~~~\n\nAfter the code.\n")
    assert style_problems(page) == []
    assert page_prose(page) == "After the code."
