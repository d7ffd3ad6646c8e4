"""Friendly messages: every known mistake says where it is and how to fix it.

Sphinx's warnings name the file and line but speak to programmers
("'myst' cross-reference target not found"). This extension adds a line in
plain English under each warning it knows, by its type and subtype (or, for
warnings without one, its wording)::

    docs/index.md:5: WARNING: 'myst' cross-reference target not found: 'missing-page.md'
        How to fix: This links to a page that does not exist. Check ...

It also shows paths relative to the folder you run ``make`` in, gives
"not in any table of contents" a line number, and ends a build that found
problems with a count, so that a live preview makes them hard to miss.

How, and why this way:

- The handbook's own checks (checks.py, mistakes.py, release.py) write their
  "How to fix" line into the warning itself, where they find the mistake,
  with ``how_to_fix()``: nothing rewrites their messages afterwards.
- For the warnings of Sphinx, MyST and the other extensions, which cannot be
  changed at their source, ``HintFilter`` is a ``logging.Filter`` on Sphinx's
  warning handler (``sphinx.util.logging.WarningStreamHandler``, the handler
  Sphinx's own public ``prefixed_warnings()`` adds its filter to). It reads
  only what ``SphinxLoggerAdapter.warning()`` documents a warning carries
  (``type``, ``subtype``, ``location``, the message and its arguments), and
  does not depend on running before or after Sphinx's own filters: it turns
  the location into a path itself, as Sphinx would (a ``(docname, line)``, a
  node or a docname), so the text is the same in either order (only Sphinx's
  ``[type.subtype]`` tag comes before the hint or after it); it decides
  whether a warning is suppressed with the public ``is_suppressed_warning()``
  rather than relying on Sphinx's suppressor having run first; and it marks
  each record it has seen, so that a record passed to the handler again
  gets one hint, not two.
- Sphinx has no public hook on a warning's text that could do this instead.
  The ``warn-missing-reference`` event covers only the missing references
  of Sphinx's domains (not MyST's, pictures, tables of contents, the
  bibliography or docutils). A ``logging`` handler of our own would write
  a separate line that cannot correct the path or line Sphinx prints, and
  it would see each held-back warning twice, once early: ``pending_warnings()``
  takes Sphinx's ``WarningStreamHandler`` (with its filters) off the logger
  and replays the warnings to the whole logger later, while any other
  handler stays on. A ``-w`` file gets the text only after the build, not
  in a live preview.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pybtex.errors
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging
from sphinx.util.console import colourise

logger = sphinx_logging.getLogger(__name__)


@dataclass(frozen=True)
class Hint:
    """How to fix one kind of warning: its type, or a pattern of its wording."""

    fix: str
    when: str = ""  # a pattern the warning's text must match, if any

    def matches(self, text: str) -> bool:
        return not self.when or re.search(self.when, text) is not None


LINKS = "Link to a page with [words](page-name.md) and to a heading with [words](#heading-words)"
HINTS: dict[str, list[Hint]] = {
    "myst.xref_missing": [
        Hint("This link goes to a page that does not exist. Check the file name and folder "
             "(they are case-sensitive): a link from one page to another in the same folder "
             "looks like [words](other-page.md).", when=r"target not found: '[^']*\.md'"),
        Hint("This link goes to a page or heading that does not exist. Link to a page by its "
             "file name, with .md: [words](other-page.md). Link to a heading by its words in "
             "lower case, with hyphens for spaces: [words](other-page.md#the-heading)."),
    ],
    "ref.ref": [Hint("Nothing has this label. Check its spelling, or put (label-name)= on "
                     "the line above the heading you mean. " + LINKS + ".")],
    "ref.doc": [Hint("This link goes to a page that does not exist. Check the page's name "
                     "and folder. " + LINKS + ".")],
    "image.not_readable": [Hint("The picture file is not there. Check its name and folder "
                                "(they are case-sensitive), or add the file next to the page.")],
    "myst.directive_unknown": [Hint("The name in {curly brackets} after the backticks is not "
                                    "one the handbook knows. Check its spelling: the page "
                                    "template shows note, tip, warning, figure and glossary.")],
    "myst.role_unknown": [Hint("The name in {curly brackets} before the backticks is not one "
                               "the handbook knows. Check its spelling: the page template "
                               "shows {term}, {cite:p} and {ref}.")],
    "myst.topmatter": [Hint("The front matter (between the two --- lines at the top) is "
                            "broken. Write each setting as name: value on a line of its own, "
                            "and put \"quotes\" round a value with a colon or a bracket in it.")],
    "myst.header": [Hint("Headings go down one level at a time: # for the page title, ## for "
                         "its sections, ### inside a ## section. Change the number of # signs.")],
    "bibtex.key_not_found": [Hint("No entry in references.bib has this key. Fix the key's "
                                  "spelling to match the entry, or add an entry for the source "
                                  "to {docs}/references.bib.")],
    "bibtex.syntax_error": [Hint("This entry in references.bib is broken, on this line or "
                                 "just above it. Check that each { has its }, that each field "
                                 "ends with a comma, and that the entry ends with }. Copying an "
                                 "entry that works is the safest way to start a new one.")],
    "bibtex.duplicate_entry": [Hint("Two entries in references.bib have the same key. If "
                                    "they are the same source, delete one; if not, give one a "
                                    "new key and change its citations to match.")],
    "bibtex.missing_field": [Hint("The source's entry in references.bib lacks something the "
                                  "list of references needs. Add it to the entry, like "
                                  "title = {The title},")],
    "toc.not_included": [Hint("No table of contents lists this page, so readers cannot find "
                              "it. Add its file name, without .md, to the toctree list in "
                              "{docs}/index.md (or in its chapter's index.md).")],
    "toc.not_readable": [Hint("The table of contents lists a page that does not exist. "
                              "Check the name (without .md) against the file's name.")],
    "ref.term": [Hint("This word is not in the glossary. Write it exactly as it is in "
                      "{docs}/glossary.md, or add it there with its meaning.")],
    "handbook.review": [Hint("Review the page: check each fact, number and link against its "
                             "source. Then, in the front matter at the top of the page, set "
                             "last_reviewed to today's date and review_due to the date of its "
                             "next review (within a year; within three months for the help "
                             "page), both written as YYYY-MM-DD. "
                             "The Contributing chapter's page \"Review a page\" says how.")],
    "docutils": [Hint("The same label is used twice. Rename one of them, and change the "
                      "links to it.", when=r"Duplicate explicit target name")],
    "": [Hint("The same label is used twice. Rename one of them, and change the links to it.",
              when=r"^duplicate label ")],
}


def hint_for(warning_type: str, subtype: str, text: str) -> str | None:
    """The "How to fix" words for a warning, or None for one we do not know."""
    keys = [f"{warning_type}.{subtype}", warning_type] if warning_type else [""]
    for key in keys:
        for hint in HINTS.get(key, []):
            if hint.matches(text):
                return hint.fix
    return None


def _relative(location: str) -> str:
    """A path relative to the current folder, as a contributor types it."""
    path, sep, rest = location.partition(":")
    if os.path.isabs(path) and path.startswith(os.getcwd() + os.sep):
        path = os.path.relpath(path)
    return path + sep + rest


def _fill_in(app: Sphinx, fix: str) -> str:
    """A fix's {docs} and {word_list}, as paths from the current folder."""
    docs = _relative(str(app.srcdir))
    return fix.replace("{docs}", docs).replace(
        "{word_list}", os.path.join(docs, app.config.handbook_spelling_word_list))


def conf_location(confdir: str | Path, setting: str) -> str:
    """Where conf.py sets ``setting``, as ``path:line`` (its first line, if it does not).

    A line number is always given: Sphinx reads a location without one as a
    page's name, which fails before the build has pages.
    """
    path = Path(confdir, "conf.py")
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError:
        lines = []
    pattern = re.compile(rf"\s*{re.escape(setting)}\b")
    line = next((n for n, text in enumerate(lines, 1) if pattern.match(text)), 1)
    return f"{path}:{line}"


def how_to_fix(app: Sphinx, fix: str) -> str:
    """The "How to fix" line a check puts at the end of its own warning."""
    return f"\n    How to fix: {_fill_in(app, fix)}"


def _location(app: Sphinx, location: object) -> str | None:
    """A warning's location as ``path:line``, from any form Sphinx accepts."""
    if isinstance(location, tuple):
        docname, line = location
        if not docname:
            return None
        path = str(app.env.doc2path(docname))
        return f"{path}:{line}" if line else path
    if isinstance(location, nodes.Node):
        return sphinx_logging.get_node_location(location)
    env = getattr(app, "env", None)  # none yet while the configuration is read
    if isinstance(location, str) and env is not None and location in env.found_docs:
        return str(env.doc2path(location))  # a docname, as Sphinx reads it
    return location if isinstance(location, str) else None


class HintFilter(logging.Filter):
    """Add the fix to each warning we know; count what was shown (see the docstring)."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "handbook_seen", False):
            return True
        record.handbook_seen = True
        warning_type = getattr(record, "type", "") or ""
        subtype = getattr(record, "subtype", "") or ""
        with contextlib.suppress(AttributeError):  # before the config is read
            if sphinx_logging.is_suppressed_warning(warning_type, subtype,
                                                    self.app.config.suppress_warnings):
                return True  # Sphinx's own filter drops it
        self.count += 1
        with contextlib.suppress(Exception):  # a hint must never stop the build
            self._add_fix(record, warning_type, subtype)
        return True

    def _add_fix(self, record: logging.LogRecord, warning_type: str, subtype: str) -> None:
        try:
            text = record.msg % record.args if record.args else str(record.msg)
        except (TypeError, ValueError):
            text = str(record.msg)
        fix = None if "How to fix:" in text else hint_for(warning_type, subtype, text)
        location = _location(self.app, getattr(record, "location", None))
        if location is not None:
            if re.search(r"\.(md|rst)$", location):
                # A whole-page problem: point at its first line (and a location
                # with a line is one Sphinx's own filter leaves as it is).
                location += ":1"
            record.location = _relative(location)
        if fix:
            fix = how_to_fix(self.app, fix)
            record.msg = f"{record.msg}{fix.replace('%', '%%') if record.args else fix}"


def _second_entry(bibfiles: list[str], key: str) -> str | None:
    """Where a bibliography file repeats an entry: its second copy."""
    entry = re.compile(rf"\s*@\w+\s*{{\s*{re.escape(key)}\s*,", re.IGNORECASE)
    for path in bibfiles:
        with open(path, encoding="utf-8") as bibliography:
            lines = [n for n, line in enumerate(bibliography, start=1) if entry.match(line)]
        if len(lines) > 1:
            return f"{path}:{lines[1]}"
    return None


def _capture_bibliography_errors(app: Sphinx) -> None:
    """Collect pybtex's errors while sphinxcontrib-bibtex reads the .bib files.

    Unchecked, a syntax error in references.bib stops Sphinx with a long
    traceback; collected, it becomes a warning with its file and line.
    """
    pybtex.errors.captured_errors = []


def _report_bibliography_errors(app: Sphinx) -> None:
    errors, pybtex.errors.captured_errors = pybtex.errors.captured_errors or [], None
    for error in errors:
        message = str(error.args[0]) if error.args else str(error)
        if repeated := re.match(r"repeated bibliography entry: (\S+)", message):
            location = _second_entry(app.config.bibtex_bibfiles, repeated[1])
            logger.warning("the key %s is used twice", repeated[1], location=location,
                           type="bibtex", subtype="duplicate_entry")
            continue
        filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
        location = f"{filename}:{line}" if filename and line else filename
        logger.warning("broken entry: %s", message, location=location,
                       type="bibtex", subtype="syntax_error")


def _summarise(hint_filter: HintFilter):
    def summarise(app: Sphinx, exception: Exception | None) -> None:
        """End a build that found problems with how many, even in a quiet build."""
        if hint_filter.count and not exception:
            problems = "1 problem" if hint_filter.count == 1 else f"{hint_filter.count} problems"
            message = f"{problems} to fix: each one above says where and how."
            print(colourise("red", message), file=sys.stderr, flush=True)

    return summarise


def setup(app: Sphinx) -> dict:
    hint_filter = HintFilter(app)
    for handler in logging.getLogger("sphinx").handlers:
        if isinstance(handler, sphinx_logging.WarningStreamHandler):
            handler.addFilter(hint_filter)
    app.connect("build-finished", _summarise(hint_filter))
    # Around sphinxcontrib-bibtex's own builder-inited handler (priority 500).
    app.connect("builder-inited", _capture_bibliography_errors, priority=400)
    app.connect("builder-inited", _report_bibliography_errors, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
