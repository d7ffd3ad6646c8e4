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

# -- External links: make linkcheck (online, so never in make test) -----------
# Fetches every web link, and every citation's DOI and URL. The Makefile runs
# it with -W, so a redirect not allowed below fails too: update the link.
linkcheck_timeout = 20  # seconds: slow publishers answer in this; longer is an outage
linkcheck_retries = 2  # one more try before "broken": a server's bad moment is not a dead link
linkcheck_workers = 3  # few requests at once, to be gentle with the small sites we cite
linkcheck_anchors = True  # a link to a page's #heading fails when the heading is gone
linkcheck_anchors_ignore_for_url = [
    r"https://github\.com/",  # GitHub writes its headings' anchors with JavaScript
]
# On "429 Too Many Requests" Sphinx waits as long as the site's Retry-After says
# (GitHub sends one); without it, one minute, then the link is reported broken.
linkcheck_rate_limit_timeout = 60.0
# A timeout is most often a slow site on the day, so it is reported apart from
# broken links (Sphinx still fails the run on it).
linkcheck_report_timeouts_as_broken = False
# Redirects that are not "moved" (regular expressions: from, to).
linkcheck_allowed_redirects = {
    # A DOI exists to send readers on to wherever the publisher keeps the work now.
    r"https://doi\.org/10\.\d+/": r"https?://",
    # A Creative Commons licence opens in the reader's own language.
    r"https://creativecommons\.org/licenses/": r"https://creativecommons\.org/licenses/",
}
# Ask as a browser does, and say who is asking: some sites (GitHub, publishers)
# answer a bare script with 403 or 429.
linkcheck_request_headers = {
    "*": {
        "User-Agent": (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 "
            f"PeerSupportHandbook-linkcheck/{release} (+{repository_url})"
        ),
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en-GB,en;q=0.8",
    },
}
# Never fetched, each for its reason. A redirect to one of these is not followed
# either: the link is "ignored", so a DOI that doi.org resolves still counts.
linkcheck_ignore = [
    r"http://127\.0\.0\.1:8000/?$",  # make live's preview, on the reader's own computer
    r"https://www\.mdpi\.com/",  # answers link checkers with 403; doi.org vouches for its DOIs
]
