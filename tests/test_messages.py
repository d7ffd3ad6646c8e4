"""handbook.sphinxext.messages: its hints do not depend on the order of Sphinx's filters.

The "How to fix" lines of Sphinx's own warnings come from a logging filter on
Sphinx's warning handler. It must give the same text whether it runs after
Sphinx's own filters (as it is added) or before them: the project is built
in-process both ways and the warnings compared, for a warning located by a
node, by (docname, line), and by a docname alone. Only where Sphinx puts its
``[type.subtype]`` tag (show_warning_types) moves: before the hint or after it.
"""

from __future__ import annotations

import logging
import re
import shutil

import pytest
from sphinx.util import logging as sphinx_logging
from sphinx.util.console import strip_colors
from utils import ROOTS

from handbook.sphinxext.messages import HintFilter

CONF = ROOTS / "test-small-book" / "conf.py"  # the handbook's own settings


def warnings_of(make_app, srcdir, root: str, hint_first: bool) -> str:
    shutil.copytree(ROOTS / root, srcdir)
    shutil.copy(CONF, srcdir / "conf.py")
    app = make_app("dummy", srcdir=srcdir, freshenv=True,
                   confoverrides={"handbook_review_required": False})  # no review dates
    handler = next(h for h in logging.getLogger("sphinx").handlers
                   if isinstance(h, sphinx_logging.WarningStreamHandler))
    ours = [f for f in handler.filters if isinstance(f, HintFilter)]
    assert len(ours) == 1
    if hint_first:
        handler.removeFilter(ours[0])
        handler.filters.insert(0, ours[0])
    app.build()
    text = strip_colors(app.warning.getvalue()).replace(str(srcdir), "SRC")
    app.cleanup()
    return re.sub(r" \[[a-z_]+(\.[a-z_]+)?\]$", "", text, flags=re.M)  # Sphinx's tag


@pytest.mark.parametrize("root", ["error-missing-page", "error-misspelling", "error-not-in-toc"])
def test_a_hint_is_the_same_before_or_after_sphinxs_own_filters(make_app, tmp_path, root):
    after = warnings_of(make_app, tmp_path / "after", root, hint_first=False)
    before = warnings_of(make_app, tmp_path / "before", root, hint_first=True)
    assert "How to fix: " in after and after.count("WARNING") == 1, after
    assert before == after
