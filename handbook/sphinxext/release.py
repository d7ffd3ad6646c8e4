"""The book: what describes it, the edition a build is of, and whether it is a draft.

- ``handbook_subtitle``, ``handbook_licence`` and ``handbook_licence_url``: the
  book's description and licence, for the PDF's cover and metadata, the
  site's descriptions and the EPUB; ``handbook_help_page``: the page of help
  numbers that every page and the PDF's cover link to.

- ``release`` (Sphinx's own setting, in conf.py) names the edition on the
  site's footer, the PDF's cover, and the release files. Empty, it would give
  a book of no edition, so the build reports one error that names conf.py
  (and the line, when conf.py sets it) and the fix; ``-W`` makes it fail.
- ``handbook_draft`` (a string): the commit a draft was built from, or ""
  for a release. conf.py sets it from the ``HANDBOOK_DRAFT`` environment
  variable, which ``make dist DRAFT=1`` sets; the footer (conf.py's
  ``extra_footer``) and the PDF's cover show it.
"""

from __future__ import annotations


from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from handbook.sphinxext.messages import conf_location

logger = logging.getLogger(__name__)


def check_release(app: Sphinx, config: Config) -> None:
    """Report a conf.py that gives no edition, at the line that should."""
    if str(config.release or "").strip():
        return
    logger.error(
        "`release` is empty or missing, so the book has no edition\n"
        '    How to fix: set it in conf.py, as in: release = version = "1.1" '
        '(README, "Releasing an edition").',
        location=conf_location(app.confdir, "release"), type="handbook", subtype="release",
    )


def setup(app: Sphinx) -> dict:
    text = frozenset({str})
    app.add_config_value("handbook_subtitle", "", "env", types=text,
                         description="what the book is, in one line")
    app.add_config_value("handbook_licence", "", "env", types=text,
                         description="the text's licence, as people name it")
    app.add_config_value("handbook_licence_url", "", "env", types=text,
                         description="the licence's web address")
    app.add_config_value("handbook_help_page", "help-now", "env", types=text,
                         description="the page of help numbers (a docname)")
    app.add_config_value("handbook_draft", "", "env", types=frozenset({str}),
                         description="the commit a draft was built from; '' for a release")
    app.connect("config-inited", check_release)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
