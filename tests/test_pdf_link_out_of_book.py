"""A link from the book to a page the PDF leaves out goes to the website.

The handbook's PDF leaves out the Contributing chapter (an ``only``
directive in docs/index.md), but a page of the book may still link to it.
On paper that link can only go to the page on the website.
"""

import subprocess
import sys

from handbook.shared import ROOT, STRICT
from utils import ROOTS


def test_a_link_to_a_page_left_out_of_the_pdf_goes_to_that_page_on_the_website(tmp_path):
    base = "https://example.org/book/"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", *STRICT, "-c", str(ROOT),
         "-D", "handbook_review_required=0", "-D", f"html_baseurl={base}",
         "-b", "pdf", str(ROOTS / "pdf-link-out-of-book"), str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    markup = (tmp_path / "content.typ").read_text("utf-8")
    assert "Read the page you want to change" not in markup  # the page is left out
    assert f'#link("{base}more/web-only.html")[' in markup
    assert f'#link("{base}more/web-only.html#the-first-step")[' in markup
