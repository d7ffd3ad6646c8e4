"""Review dates: every page says when it was last reviewed and when it is due again.

UK health information is reviewed on a cycle (the NHS health content
standard, PIF TICK), and a reader should see how fresh a page is. Each
page's front matter carries two dates::

    ---
    last_reviewed: 2026-12-01
    review_due: 2027-12-01
    ---

On ``doctree-read`` this extension adds, at the end of each page, a
paragraph with the class ``handbook-review`` that reads "Page last
reviewed: 1 December 2026. Next review due: 1 December 2027." It is an
ordinary docutils paragraph, so the website, the EPUB and the PDF all show
it. The words come from the front matter only, never from the day of the
build, so the same sources give the same bytes.

It warns (type ``handbook``, subtype ``review``, with the page and the
front matter's line, so ``-W`` stops the build) when a date is missing or
not a date, when the next review is due (``review_due`` is today or
earlier), when ``last_reviewed`` is after today, or when the review cycle
is longer than the page allows. ``handbook.sphinxext.messages`` adds the
"How to fix" line.

Settings (conf.py):

- ``handbook_review_required`` (bool, True): check the dates. The test
  projects under ``tests/roots/`` turn it off unless they test it.
- ``handbook_review_today`` (str, ``""``): the day to check against, as
  ``YYYY-MM-DD``; empty means today in UTC. Tests pin it. It is not
  ``SOURCE_DATE_EPOCH``: an edition's fixed date would let a review fall
  due without the check ever noticing.
- ``handbook_review_cycle_days`` (dict): the longest time from one review
  to the next, in days, by page name; ``"*"`` for every other page. The
  help page's cycle is short, because numbers and services change.
- ``handbook_review_date_format`` (str): how the dates are shown.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

KEYS = ("last_reviewed", "review_due")
CLASS = "handbook-review"


def _today(app: Sphinx) -> dt.date:
    pinned = app.config.handbook_review_today
    return dt.date.fromisoformat(pinned) if pinned else dt.datetime.now(dt.timezone.utc).date()


def _check_config(app: Sphinx, config) -> None:
    """Stop at once, saying so, if the pinned day is not a date."""
    try:
        _today(app)
    except ValueError:
        raise ConfigError(f"handbook_review_today is {config.handbook_review_today!r}: write "
                          "the day as YYYY-MM-DD, or leave it empty for today") from None


def _as_date(value: object) -> dt.date | None:
    """A front matter value as a date: YAML gives a date, or a string to parse."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _line_of(source: Path, key: str) -> int:
    """The line of the front matter that sets a key, or 1 (the page's start)."""
    try:
        lines = source.read_text("utf-8").splitlines()
    except OSError:
        return 1
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    return next((n for n, line in enumerate(lines, start=1) if pattern.match(line)), 1)


def _warn(app: Sphinx, docname: str, key: str, message: str, *args) -> None:
    line = _line_of(Path(app.env.doc2path(docname)), key)
    logger.warning(message, *args, location=(docname, line), type="handbook", subtype="review")


def review_dates(app: Sphinx, docname: str) -> tuple[dt.date, dt.date] | None:
    """A page's two dates, warning about each that is missing or not a date."""
    metadata = app.env.metadata.get(docname, {})
    dates = {}
    for key in KEYS:
        if key not in metadata:
            if app.config.handbook_review_required:
                _warn(app, docname, key, "the page has no %s date in its front matter", key)
            continue
        dates[key] = _as_date(metadata[key])
        if dates[key] is None and app.config.handbook_review_required:
            _warn(app, docname, key, "%s is “%s”, not a date written as YYYY-MM-DD",
                  key, metadata[key])
    if None in dates.values() or len(dates) < len(KEYS):
        return None
    return dates["last_reviewed"], dates["review_due"]


def _check(app: Sphinx, docname: str, last: dt.date, due: dt.date) -> None:
    today = _today(app)
    cycles = app.config.handbook_review_cycle_days
    longest = cycles.get(docname, cycles.get("*"))
    if due <= today:
        _warn(app, docname, "review_due", "the page's review was due on %s (review_due); "
              "today is %s", due.isoformat(), today.isoformat())
    elif last > today:
        _warn(app, docname, "last_reviewed", "last_reviewed is %s, after today (%s)",
              last.isoformat(), today.isoformat())
    elif longest is not None and not 0 < (due - last).days <= longest:
        _warn(app, docname, "review_due", "review_due is %d days after last_reviewed; this "
              "page's next review must be due 1 to %d days after its last",
              (due - last).days, longest)


def _format(app: Sphinx, date: dt.date) -> str:
    return date.strftime(app.config.handbook_review_date_format)


def _end_of_page(doctree: nodes.document) -> nodes.Element:
    """The last section of the page (the deepest last one), or the page itself.

    A paragraph is valid there (after its body, with no subsection after
    it), and it stays with the page when the PDF puts every page in one book.
    """
    holder: nodes.Element = doctree
    while True:
        sections = [child for child in holder.children if isinstance(child, nodes.section)]
        if not sections or sections[-1] is not holder.children[-1]:
            return holder
        holder = sections[-1]


def add_review_dates(app: Sphinx, doctree: nodes.document) -> None:
    """Check the page's review dates and show them at its end."""
    docname = app.env.docname
    dates = review_dates(app, docname)
    if dates is None:
        return
    last, due = dates
    if app.config.handbook_review_required:
        _check(app, docname, last, due)
    text = (f"Page last reviewed: {_format(app, last)}. "
            f"Next review due: {_format(app, due)}.")
    _end_of_page(doctree).append(nodes.paragraph(text, text, classes=[CLASS]))


def setup(app: Sphinx) -> dict:
    app.add_config_value("handbook_review_required", True, "env", bool)
    app.add_config_value("handbook_review_today", "", "", str)
    app.add_config_value("handbook_review_cycle_days", {"*": 366}, "env", dict)
    app.add_config_value("handbook_review_date_format", "%-d %B %Y", "env", str)
    app.connect("config-inited", _check_config)
    app.connect("doctree-read", add_review_dates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
