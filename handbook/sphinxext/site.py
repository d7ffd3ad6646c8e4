"""Sphinx extension for the website: the whole-book PDF and help-now links.

Every page's header carries a "Download PDF" link to the whole-book PDF
(the theme's own download button prints only the current page) and a
"Get help now" link, so that help is one tap away on a phone. Its footer
offers the PDF and the EPUB, which ``make`` copies into the site.
"""

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config


def _bibfiles_beside_sources(app: Sphinx, config: Config) -> None:
    """Read bibliography files from the source folder, not the config folder.

    The same configuration then serves the handbook and the test projects
    under ``tests/roots/``, each with its own ``references.bib``.
    """
    config.bibtex_bibfiles = [
        str(Path(app.srcdir, name)) for name in config.bibtex_bibfiles
    ]


def _add_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    context["pdf_filename"] = app.config.pdf_filename
    context["epub_filename"] = app.config.epub_basename + ".epub"
    context["help_page"] = app.config.handbook_help_page


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _bibfiles_beside_sources)
    app.connect("html-page-context", _add_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
