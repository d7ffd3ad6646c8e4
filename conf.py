"""Sphinx configuration for the Peer Support Handbook.

Used with ``sphinx-build -c . docs <outdir>``; the Makefile has the commands.
Every setting that describes the book (title, edition, licence) lives here
once, and the site, the PDF and the tests read it from here.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from handbook.edition import build_date  # noqa: E402

# -- The book ----------------------------------------------------------------
project = "The Peer Support Handbook"
subtitle = "What peer support groups offer, and how to find one that suits you"
author = "The Peer Support Handbook contributors"
release = version = "1.0"
today = build_date(ROOT).strftime("%-d %B %Y")
copyright = f"{build_date(ROOT).year}, {author}"
language = "en_GB"
licence = "CC BY 4.0"
licence_url = "https://creativecommons.org/licenses/by/4.0/"
repository_url = os.environ.get(
    "HANDBOOK_REPOSITORY", "https://github.com/peer-support-handbook/handbook"
)
repository_branch = "main"

# -- Sources and extensions --------------------------------------------------
extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "handbook.site",
    "handbook.pdf",
    "handbook.checks",
    "handbook.messages",
    "sphinx_last_updated_by_git",
]
root_doc = "index"
exclude_patterns = ["_build", "README.md"]
templates_path = [str(ROOT / "handbook" / "templates")]
nitpicky = True

# -- MyST Markdown -----------------------------------------------------------
myst_enable_extensions = [
    "colon_fence",
    "deflist",
    "substitution",
    "attrs_inline",
]
myst_heading_anchors = 3
myst_substitutions = {"help_now": "[Get help now](help-now.md)"}

# -- Citations (bibliography files are named relative to the sources) --------
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "author_year"

# -- Website -----------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = [str(ROOT / "handbook" / "static")]
html_css_files = ["handbook.css"]
html_last_updated_fmt = "%-d %B %Y"
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "repository_url": repository_url,
    "repository_branch": repository_branch,
    "path_to_docs": "docs",
    "use_repository_button": True,
    "use_edit_page_button": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "article_header_end": ["handbook-links.html", "article-header-buttons.html"],
    "extra_footer": (
        f'Text licensed under <a href="{licence_url}">{licence}</a>.'
    ),
}

# -- PDF (WeasyPrint, see handbook/pdf.py) -----------------------------------
pdf_filename = "peer-support-handbook.pdf"
pdf_keywords = ["peer support", "support groups", "mental health", "wellbeing"]

# -- Contributors: spelling, "last updated" from git (see docs/contributing/) -
spelling_language = "en_GB"
spelling_word_list = "wordlist.txt"  # beside the pages: the handbook's own words
git_untracked_show_sourcelink = True  # keeps "Edit this page" on uncommitted pages
# Without git history (a copy, a shallow clone) pages show no date; not an error.
# A missing picture is reported once, by Sphinx, not again by the git dates.
suppress_warnings = [
    "git.too_shallow", "git.subprocess_error", "git.command_not_found",
    "git.dependency_not_found",
]
