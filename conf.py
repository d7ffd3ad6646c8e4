"""Sphinx configuration for the Peer Support Handbook.

Used with ``sphinx-build -c . docs <outdir>``; the Makefile has the commands.
Every setting that describes the book (title, edition, licence) lives here
once, and the site, the PDF and the tests read it from here.
"""

import html
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from handbook.shared import build_date  # noqa: E402

# -- The book ----------------------------------------------------------------
project = "The Peer Support Handbook"
handbook_subtitle = "What peer support groups offer, and how to find one that suits you"
author = "The Peer Support Handbook contributors"
release = version = "1.0"
# A draft (make dist DRAFT=1) is marked as one, with the commit it came from,
# in every page's footer and on the PDF's cover; a release leaves this "".
handbook_draft = os.environ.get("HANDBOOK_DRAFT", "")
release_date = "2026-12-01"  # the edition's date, as cited (About, CITATION.cff)
today = build_date(ROOT).strftime("%-d %B %Y")
copyright = f"{build_date(ROOT).year}, {author}"
language = "en_GB"
handbook_licence = "CC BY 4.0"
handbook_licence_url = "https://creativecommons.org/licenses/by/4.0/"
repository_url = os.environ.get(
    "HANDBOOK_REPOSITORY", "https://github.com/peer-support-handbook/handbook"
)
repository_branch = "main"
# Where readers' feedback goes: every page's footer offers an email to it,
# its subject naming the page (handbook/sphinxext/feedback.py). Set
# HANDBOOK_FEEDBACK_EMAIL, or change this, to the address that is read.
handbook_feedback_email = os.environ.get(
    "HANDBOOK_FEEDBACK_EMAIL", "feedback@peer-support-handbook.org"
)

# -- Sources and extensions --------------------------------------------------
extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "handbook.sphinxext.bibliography",  # the reference list in one A-to-Z order
    "handbook.sphinxext.site",
    "handbook.sphinxext.lean",  # the website: fast on a phone, private (see its docstring)
    "handbook.sphinxext.markup",  # HTML that assistive technology reads right (site and EPUB)
    "handbook.sphinxext.pdf",
    "handbook.sphinxext.checks",
    "handbook.sphinxext.messages",
    "handbook.sphinxext.mistakes",  # Markdown mistakes: encoding, open fences, headings twice
    "handbook.sphinxext.release",  # the edition: release checked, handbook_draft
    "handbook.sphinxext.linkcheck",  # make linkcheck always ends, with its report
    "handbook.sphinxext.review",  # each page's review dates, shown and checked
    "handbook.sphinxext.feedback",  # every page's footer: email or an issue about it
    "handbook.sphinxext.readonce",  # make reads the sources once, then writes each output
    "handbook.sphinxext.template_cache",  # the theme templates compiled once, kept with the doctrees
    "sphinx_last_updated_by_git",
    # Publishing (see its group below): descriptions, robots.txt, the EPUB's
    # theme; sitemap.xml, the 404 page, og: tags; the EPUB's accessibility
    "handbook.sphinxext.publish",
    "handbook.sphinxext.epub",
    "sphinx_sitemap",
    "notfound.extension",
    "sphinxext.opengraph",
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
# Links MyST passes through as addresses: tel: and sms: let a phone call or text
# a helpline in one tap (docs/help-now.md).
myst_url_schemes = ["http", "https", "mailto", "tel", "sms"]

# -- Citations (bibliography files are named relative to the sources) --------
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "handbook"  # pybtex's plain, in one A-to-Z list by author (see the extension)
bibtex_reference_style = "author_year"

# -- Website -----------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = [str(ROOT / "handbook" / "static")]
html_css_files = ["handbook.css"]
html_favicon = str(ROOT / "handbook" / "static" / "favicon.svg")
html_context = {"default_mode": "auto"}  # follow the device; the theme's "" logs an error
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
    "primary_sidebar_end": [],  # not the theme's ad slot (Read the Docs fills it)
    # The menu on each page lists the chapters, and the pages of the chapter
    # the reader is in, not every page of the book: so a page's size, and
    # the time to build it, do not grow with the book. Every chapter is one
    # click from any page, and its pages are listed on its own page.
    "collapse_navbar": True,
    "show_navbar_depth": 1,
    # The copyright line names the authors already; the theme's "By ..." would repeat them.
    "footer_content_items": [
        "copyright.html", "last-updated.html", "extra-footer.html", "handbook-downloads.html",
        "handbook-feedback.html",
    ],
    "extra_footer": (
        (f'<strong class="handbook-draft">Draft</strong> from commit '
         f'{html.escape(handbook_draft)}, not a release. ' if handbook_draft else "")
        + f'Edition {release}, {today}. '
        f'Text licensed under <a href="{handbook_licence_url}">{handbook_licence}</a>.'
    ),
}

# -- PDF (Typst, see handbook/sphinxext/pdf/): both editions, one build ------
pdf_filename = "peer-support-handbook.pdf"
pdf_large_print_filename = "peer-support-handbook-large-print.pdf"
pdf_body_size = "12pt"  # RNIB Clear Print: 12 pt or more
pdf_large_print_size = "18pt"  # large print: 16 pt or more
pdf_keywords = ["peer support", "support groups", "mental health", "wellbeing"]

# -- Publishing: canonical links, sitemap, robots.txt, 404 page, link previews -
# The site's address, in one place: HANDBOOK_BASE_URL, else the one Read the
# Docs gives its build, else GitHub Pages' (see README "Hosting and releases").
html_baseurl = (
    os.environ.get("HANDBOOK_BASE_URL")
    or os.environ.get("READTHEDOCS_CANONICAL_URL")
    or "https://peer-support-handbook.github.io/handbook/"
).rstrip("/") + "/"
html_extra_path = [str(ROOT / "handbook" / "brand" / "site")]  # the social card
# The edition, its year and the address, for the citation in docs/about.md
# ({{ address }} and so on); CITATION.cff gives the same.
myst_substitutions = {
    "edition": release, "year": release_date[:4], "address": f"<{html_baseurl}>",
    # The feedback address as a link, for the About page and the accessibility statement.
    "email": f"[{handbook_feedback_email}](mailto:{handbook_feedback_email})",
    "repository": f"<{repository_url}>",
}
sitemap_url_scheme = "{link}"  # the site has no language or version folders
sitemap_excludes = ["search.html", "genindex.html", "404.html"]
# The 404 page is served at any depth, so its links start from the site's root.
notfound_urls_prefix = urlsplit(html_baseurl).path
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n"
        "<p>There is no page at this address. It may have moved.</p>\n"
        f'<p>Go to the <a href="{notfound_urls_prefix}index.html">start of the '
        "handbook</a>, or use the search box.</p>\n"
        f'<p>If you need help now, read <a href="{notfound_urls_prefix}help-now.html">'
        "Getting help now</a>.</p>"
    ),
}
ogp_site_url = html_baseurl
ogp_image = "social-card.png"  # 1200 x 630, drawn by handbook/brand/make_images.py
ogp_image_alt = f"{project}: {handbook_subtitle}"
ogp_custom_meta_tags = [
    '<meta property="og:image:width" content="1200" />',
    '<meta property="og:image:height" content="630" />',
    '<meta name="twitter:card" content="summary_large_image" />',
]

# -- EPUB (make epub): title, author, publisher and rights are the book's -----
epub_basename = pdf_filename.removesuffix(".pdf")
epub_theme = "handbook-epub"  # Sphinx's epub theme and the cover (handbook/brand/epub/)
epub_cover = ("_static/cover.png", "epub-cover.html")
epub_tocscope = "includehidden"  # the pages sections list themselves, too
epub_description = handbook_subtitle
epub_contributor = author
# Sphinx writes epub_uid, not the identifier, into toc.ncx (Sphinx issue 11184),
# and epubcheck wants the two equal, so the identifier is a valid XML id too.
# (epub_scheme is left out: Sphinx writes it only into EPUB 3.1 files.)
epub_identifier = epub_uid = epub_basename
epub_language = "en-GB"  # a BCP 47 tag: epubcheck rejects Sphinx's "en_GB"
epub_exclude_files = ["social-card.png"]  # the website's, from html_extra_path
# EPUB Accessibility 1.1 (handbook/sphinxext/epub.py writes the rest of its
# metadata): what a reader learns before opening the book.
handbook_epub_accessibility_summary = (
    "This e-book meets WCAG 2.2 at level AA, as EPUB Accessibility 1.1 asks. "
    "It is text that your reading system can read aloud, enlarge and restyle. "
    "Headings, a table of contents and landmarks let you move around it; the "
    "reading order is the order of the text, and the cover picture has its "
    "title as text. Tables have headers, and code examples can be scrolled "
    "with the keyboard. Nothing flashes, moves or plays sound. Every edition "
    "is checked with Ace by DAISY and EPUBCheck before it is published."
)

# -- Contributors: spelling, "last updated" from git (see docs/contributing/) -
handbook_spelling_language = "en_GB"
handbook_spelling_word_list = "wordlist.txt"  # beside the pages: the handbook's own words
git_untracked_show_sourcelink = True  # keeps "Edit this page" on uncommitted pages
# Without git history (a copy, a shallow clone) pages show no date; not an error.
# A missing picture is reported once, by Sphinx, not again by the git dates.
suppress_warnings = [
    "git.too_shallow", "git.subprocess_error", "git.command_not_found",
    "git.dependency_not_found",
]

# -- Review dates (handbook/sphinxext/review.py) ------------------------------
# The longest time from one review of a page to the next, in days. The help
# page's numbers and services change, so it is reviewed every three months.
handbook_review_cycle_days = {"*": 366, "help-now": 92}

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
# ...but never more than two minutes for a site in all, whatever it asks: then its
# links are reported rate-limited (handbook/sphinxext/linkcheck.py).
handbook_linkcheck_rate_limit_max = 120
# The whole run stops after 20 minutes (within CI's 30), listing what it did
# not check; SIGTERM and Ctrl-C stop it the same way, and the report still prints.
handbook_linkcheck_max_time = 1200
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
