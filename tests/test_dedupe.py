"""The duplicate check catches reworded copies, and only those."""

import subprocess
import sys
from pathlib import Path

import pytest

from handbook.tools.prose import prose_lines
from handbook.tools.dedupe import (
    MIN_WORDS,
    STEM,
    candidate_pairs,
    SYNONYMS,
    content_words,
    find_duplicates,
    passages,
    similarity,
)

ROOT = Path(__file__).resolve().parent.parent

REWORDED = {
    "synonyms swapped": (
        ("Peer support groups let people meet others who have lived through similar "
         "experiences and talk with them in a safe space."),
        ("Peer support circles allow individuals to meet others who have gone through "
         "comparable experiences and chat with them in a secure setting."),
    ),
    "clauses reordered": (
        ("If a member says they are thinking about ending their life, the facilitator "
         "should stay with them and call emergency services straight away."),
        ("The facilitator should remain with them and phone the emergency services "
         "immediately if a member says they are considering ending their life."),
    ),
    "reordered and reworded": (
        ("Because members have been through similar things, they can offer understanding "
         "that friends and family sometimes cannot."),
        ("Friends and relatives sometimes cannot give the understanding that members can, "
         "since members have been through comparable things."),
    ),
    "spun, with odd synonyms": (
        ("Many people find that hearing how others coped gives them hope and practical "
         "ideas for their own recovery."),
        ("Numerous folks discover that listening to how others managed provides them hope "
         "and functional concepts for their own healing."),
    ),
    "synonyms the table lacks": (
        ("Online groups can suit people who live far from a town, work shifts or find it "
         "hard to leave the house."),
        ("Internet groups can fit people who reside far from a city, work shifts or find "
         "it tough to exit the home."),
    ),
    "rephrased": (
        ("You do not have to speak at your first meeting, and it is fine to simply listen "
         "until you feel ready to share."),
        ("At your first meeting you do not need to talk; it is perfectly fine just to "
         "listen until you feel prepared to share."),
    ),
}
SAME_TOPIC = {
    "what groups are and are not": (
        ("Peer support groups let people meet others who have lived through similar "
         "experiences and talk with them in a safe space."),
        ("Peer support groups are not a replacement for treatment from a doctor, a nurse "
         "or a therapist when you need one."),
    ),
    "where groups meet": (
        ("Most groups meet once a week in a community centre, a library or a church hall "
         "near where members live."),
        ("Some groups meet online, which suits people who live far from a town or who "
         "cannot travel easily."),
    ),
    "before and after the first meeting": (
        ("Before your first meeting, you can ask the facilitator what happens in a session "
         "and who usually comes along."),
        ("After your first meeting, take some time to think about whether the group felt "
         "right for you and your needs."),
    ),
    "sharing your story": (
        ("Sharing your own story can help other members feel less alone with what they are "
         "going through right now."),
        ("You never have to share your own story; many new members just listen quietly for "
         "their first few weekly meetings."),
    ),
    "stigma": (
        ("Stigma about mental health can stop people from asking for help when they need "
         "it most."),
        ("Talking openly about mental health in a group can reduce the stigma that members "
         "feel about asking for help."),
    ),
    "confidentiality and its limit": (
        ("Everything said in the group stays private within the group, unless someone is "
         "at risk of serious harm to themselves."),
        ("If someone is at risk of serious harm, the facilitator will explain what happens "
         "next and who they need to tell."),
    ),
    "what a facilitator does": (
        ("A facilitator keeps the meeting on track, makes sure everyone gets a chance to "
         "speak and closes the session on time."),
        ("A facilitator does not give medical advice, and should point members to their GP "
         "or a crisis line when needed."),
    ),
}

# One idea said again in other words, in a sentence or two on another page.
SAME_IDEA = {
    "adds to care, does not replace it": (
        "Peer support adds to the care you get from professionals; it does not replace it.",
        "A group is an extra on top of treatment from doctors and therapists, never a "
        "substitute for it.",
    ),
    "the same, in two short sentences": (
        "Peer support works alongside the care of professionals. It never takes its place.",
        "It adds to the treatment you have from your doctor, rather than replacing it.",
    ),
    "testimonials are not results": (
        "A testimonial is one person's story, not a measured result.",
        "Stories from members are not results that anyone has measured.",
    ),
    "ground rules made together": (
        "The group makes its ground rules together at its first meeting.",
        "At its first session, the whole group agrees its rules together.",
    ),
    "friendships grow": (
        "Over time, close friendships often grow between members.",
        "As the months go by, members often grow into close friends.",
    ),
}
# Sentences on the same topic, or sharing a word or two, that say different things.
SAME_TOPIC_SENTENCES = {
    "care and referral": (
        "Peer support adds to the care you get from professionals; it does not replace it.",
        "Ask your doctor or another professional about groups near you.",
    ),
    "two things about ground rules": (
        "The group makes its ground rules together at its first meeting.",
        "Ground rules say what happens if someone breaks the group's agreement.",
    ),
    "stigma": (
        "Stigma can stop people asking for help.",
        "A group can help people face stigma.",
    ),
    "testimonials": (
        "A testimonial is one person's story, not a measured result.",
        "Testimonials on a group's website are often written by its organisers.",
    ),
    "friendships": (
        "Over time, close friendships often grow between members.",
        "A friendship from a group can end when one of you moves away.",
    ),
    "mental health": (
        "Mental health problems are common, and peer support groups welcome anyone.",
        "Groups for mental health meet in person or online, and most are free.",
    ),
}


def _pages(tmp_path: Path, *texts: str) -> list[Path]:
    """Write each text as a page, a.md, b.md and so on."""
    pages = [tmp_path / f"{chr(ord('a') + number)}.md" for number in range(len(texts))]
    for page, text in zip(pages, texts, strict=True):
        page.write_text(text)
    return pages


@pytest.mark.parametrize("first, second", REWORDED.values(), ids=REWORDED)
def test_reworded_passages_are_caught(tmp_path, first, second):
    pages = _pages(tmp_path, f"# One\n\n{first}\n", f"# Two\n\n{second}\n")
    assert len(find_duplicates(pages)) == 1


@pytest.mark.parametrize("first, second", SAME_TOPIC.values(), ids=SAME_TOPIC)
def test_passages_on_the_same_topic_pass(tmp_path, first, second):
    assert min(content_words(first), content_words(second)) >= MIN_WORDS  # both compared
    pages = _pages(tmp_path, f"# One\n\n{first}\n", f"# Two\n\n{second}\n")
    assert find_duplicates(pages) == []


def test_the_report_names_both_files_and_lines(tmp_path):
    first, second = REWORDED["synonyms swapped"]
    pages = _pages(tmp_path, f"# One\n\n{first}\n", f"# Two\n\nIntro.\n\n{second}\n")
    [duplicate] = find_duplicates(pages)
    assert (duplicate.path, duplicate.line) == (pages[0], 3)
    assert (duplicate.other_path, duplicate.other_line) == (pages[1], 5)
    assert str(duplicate) == (
        f"{pages[0]}:3: says the same as {pages[1]}:5 (similarity {duplicate.similarity:.2f});"
        " keep it in one place and link to it from the other"
    )


def test_a_sentence_copied_into_a_longer_paragraph_is_caught_at_its_line(tmp_path):
    first, second = REWORDED["clauses reordered"]
    paragraph = (
        "Groups agree their ground rules at the first meeting.\n"
        "Everyone can add a rule, and the group can change them later. " + second + "\n"
        "The rules are read out at the start of every meeting.\n"
    )
    pages = _pages(tmp_path, f"# Safety\n\n{first}\n", f"# Rules\n\n{paragraph}")
    [duplicate] = find_duplicates(pages)
    assert (duplicate.other_path, duplicate.other_line) == (pages[1], 4)


def test_a_pair_within_one_file_is_caught(tmp_path):
    first, second = REWORDED["rephrased"]
    [page] = _pages(tmp_path, f"# Your first meeting\n\n{first}\n\n## Again\n\n- {second}\n")
    [duplicate] = find_duplicates([page])
    assert (duplicate.path, duplicate.line, duplicate.other_path, duplicate.other_line) == (
        page, 3, page, 7)


def test_a_passage_is_not_a_copy_of_itself(tmp_path):
    first, _ = REWORDED["rephrased"]
    assert find_duplicates(_pages(tmp_path, f"# One\n\n{first}\n")) == []


def test_short_passages_are_ignored(tmp_path):
    item = "- Call 999 if you are in danger.\n"
    pages = _pages(tmp_path, item, item)
    assert find_duplicates(pages) == []


def test_front_matter_code_and_toctrees_are_not_compared(tmp_path):
    sentence, _ = REWORDED["synonyms swapped"]
    hidden = (
        f"---\ndescription: {sentence}\n---\n# Title\n\n"
        f"```text\n{sentence}\n```\n\n```{{toctree}}\n:caption: {sentence}\nother-page\n```\n"
    )
    pages = _pages(tmp_path, hidden, f"# Other\n\n{sentence}\n")
    assert passages(hidden) == []
    assert find_duplicates(pages) == []


def test_roles_and_links_are_read_as_the_text_a_reader_sees():
    text = (
        "(stigma-section)=\n## Stigma\n\n"
        "{term}`Stigma <stigma>` can stop people asking for [help](help-now.md)"
        " {cite:p}`smith2020`.\n\n:::{note}\n:class: tip\nA note is prose.\n:::\n"
    )
    assert passages(text) == [
        (4, "Stigma can stop people asking for help."),
        (8, "A note is prose."),
    ]


def test_marked_up_copies_of_plain_text_are_caught(tmp_path):
    plain = REWORDED["synonyms swapped"][0]
    marked_up = plain.replace("Peer support", "{term}`Peer support <peer support>`").replace(
        "safe space", "[safe space](safety.md) {cite:p}`jones2021`")
    pages = _pages(tmp_path, f"# One\n\n{plain}\n", f"# Two\n\n{marked_up}\n")
    assert [round(d.similarity, 2) for d in find_duplicates(pages)] == [1.0]


def test_no_two_synonym_groups_share_a_stem():
    groups = [{STEM(word) for word in line.split()} for line in SYNONYMS.strip().splitlines()]
    assert sum(len(group) for group in groups) == len(set().union(*groups))


def test_texts_without_content_words_are_not_similar():
    assert similarity("", "") == 0.0
    assert similarity("It is what it is.", "It is what it is.") == 0.0


def _command(tmp_path: Path, first: str, second: str) -> subprocess.CompletedProcess:
    """`python -m handbook.tools.dedupe` on two pages, one passage each."""
    _pages(tmp_path, f"# One\n\n{first}\n", f"# Two\n\n{second}\n")
    return subprocess.run([sys.executable, "-m", "handbook.tools.dedupe", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_command_exits_1_and_prints_each_pair(tmp_path):
    result = _command(tmp_path, *REWORDED["clauses reordered"])
    assert result.returncode == 1
    first_page, second_page = tmp_path / "a.md", tmp_path / "b.md"
    assert result.stdout.startswith(f"{first_page}:3: says the same as {second_page}:3 (")


def test_the_command_exits_0_with_a_summary_when_all_is_said_once(tmp_path):
    result = _command(tmp_path, *SAME_TOPIC["stigma"])
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1


def test_the_handbook_says_each_thing_once():
    # How long it takes is make bench's to measure, not a test's.
    duplicates = find_duplicates(sorted((ROOT / "docs").rglob("*.md")))
    assert not duplicates, (
        f"{len(duplicates)} places say what another already says (issue 10, 'Each idea once'). "
        "Keep each in the page where it belongs and link to it from the others:\n"
        + "\n".join(str(duplicate) for duplicate in duplicates))


def test_both_text_checks_read_a_page_alike():
    page = ("# Title\n\n~~~text\nCode, not prose.\n~~~\n\n- A list item\n  on two lines.\n\n"
            "```{glossary}\nPeer support\n  Help from people who have been there.\n```\n")
    assert passages(page) == [(7, "A list item\non two lines."),
                              (11, "Peer support\nHelp from people who have been there.")]
    assert prose_lines(page) == [(7, "A list item"), (8, "on two lines."), (11, "Peer support"),
                                 (12, "Help from people who have been there.")]


@pytest.mark.parametrize("first, second", SAME_IDEA.values(), ids=SAME_IDEA)
def test_one_idea_restated_on_another_page_is_caught(tmp_path, first, second):
    pages = _pages(tmp_path, f"# One\n\nIntro.\n\n{first}\n", f"# Two\n\n{second}\n")
    [duplicate] = find_duplicates(pages)
    assert (duplicate.path, duplicate.line, duplicate.other_path, duplicate.other_line) == (
        pages[0], 5, pages[1], 3)
    assert str(duplicate).startswith(f"{pages[0]}:5: states the same idea as {pages[1]}:3 (“")


@pytest.mark.parametrize("first, second", SAME_TOPIC_SENTENCES.values(), ids=SAME_TOPIC_SENTENCES)
def test_sentences_that_only_share_a_topic_pass(tmp_path, first, second):
    pages = _pages(tmp_path, f"# One\n\n{first}\n", f"# Two\n\n{second}\n")
    assert find_duplicates(pages) == []


def test_an_idea_said_twice_on_one_page_is_left_to_its_writer(tmp_path):
    first, second = SAME_IDEA["testimonials are not results"]
    [page] = _pages(tmp_path, f"# One\n\n{first}\n\n## Again\n\n{second}\n")
    assert find_duplicates([page]) == []


def _all_pairs(sets, least_shared):
    return [(i, j) for i in range(len(sets)) for j in range(i + 1, len(sets))
            if len(sets[i] & sets[j]) >= max(least_shared(len(sets[i])),
                                              least_shared(len(sets[j])))]


def test_candidate_pairs_miss_no_pair_that_shares_enough():
    words = "care group help share rule meet friend story stigma time place first".split()
    sets = [frozenset(words[k] for k in range(len(words)) if (n >> k) & 1)
            for n in range(1, 4096, 37)]
    for least in (lambda size: 1, lambda size: 3, lambda size: max(2, size // 2)):
        candidates = set(candidate_pairs(sets, least))
        assert set(_all_pairs(sets, least)) <= candidates
        assert len(candidates) < len(sets) * (len(sets) - 1) // 2  # and not every pair


def test_a_reminder_that_links_to_the_full_statement_passes(tmp_path):
    first, second = SAME_IDEA["adds to care, does not replace it"]
    reminder = second.replace("treatment", "[treatment](a.md#care)")
    assert find_duplicates(_pages(tmp_path, f"# One\n\n{first}\n", f"# Two\n\n{reminder}\n")) == []
    both = [f"# One\n\n{first.replace('care', '[care](sub/../c.md)')}\n",
            f"# Two\n\n{second.replace('treatment', '[treatment](c.md)')}\n"]
    assert find_duplicates(_pages(tmp_path, *both, "# Three\n\nThe full statement.\n")) == []
    unlinked = _pages(tmp_path, f"# One\n\n{first}\n",
                      f"# Two\n\n{second.replace('treatment', '[treatment](x.md)')}\n")
    assert len(find_duplicates(unlinked)) == 1  # a link elsewhere is no excuse


def test_a_reminder_that_points_by_role_to_the_full_statement_passes(tmp_path):
    # {ref} to a label the other page defines, or {doc} to it (relative or
    # from the top folder), is as good a pointer as a Markdown link.
    first, second = SAME_IDEA["adds to care, does not replace it"]
    full = f"# One\n\n(full-statement)=\n## Care\n\n{first}\n"
    for pointer in ("{ref}`treatment <full-statement>`", "{doc}`treatment <a>`",
                    "{doc}`treatment </a>`"):
        reminder = f"# Two\n\n{second.replace('treatment', pointer)}\n"
        assert find_duplicates(_pages(tmp_path, full, reminder)) == [], pointer
    elsewhere = f"# Two\n\n{second.replace('treatment', '{ref}`treatment <nowhere>`')}\n"
    assert len(find_duplicates(_pages(tmp_path, full, elsewhere))) == 1
