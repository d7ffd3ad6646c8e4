"""Read the sources once, write the website, the PDF and the EPUB from that read.

``make`` reads every source afresh (``-E``) in one build (the ``dummy``
builder, which writes nothing), so every warning of every page shows again
after any edit; the three outputs are then written at the same time from
the environment that read left, each run with ``-D handbook_write_only=1``.
This extension keeps that honest:

- **A writer reads nothing.** A page to read in a writer means the sources
  (or an ``env`` setting of conf.py, or the environment it would have
  loaded) changed after the read: its warnings would show in that output's
  build alone, and two writers would rewrite the shared doctrees at once. So
  the writer stops at once, before it reads or writes anything, naming the
  pages and the fix (run ``make`` again; the Makefile reads afresh after a
  failed write).
- **The read does not depend on the builder.** Sphinx decides at read time
  whether to turn quotes into curly ones by the builder's name
  (``smartquotes_excludes["builders"]``); nothing else of the read, in Sphinx,
  MyST, sphinxcontrib-bibtex, the themes or ``handbook/sphinxext``, looks at
  the builder (``{only}`` blocks are kept in the doctree and chosen when each
  output is written). So a conf.py that treats the reading builder and a
  writer differently there stops the writer, naming the setting.
- **A writer keeps what the read worked out.** sphinxcontrib-bibtex formats
  the whole reference list when reading ends (``env-updated``), and Sphinx
  sends that event in a build that read nothing too: each writer formatted
  the same list again, from the same environment, to the result the read
  had pickled (about a third of a second a writer). A writer leaves the
  read's list as it is (`_keep_citations`).
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import CONFIG_CHANGED_REASON, CONFIG_OK, BuildEnvironment
from sphinx.util import logging
from sphinxcontrib import bibtex

from handbook.sphinxext.messages import conf_location

logger = logging.getLogger(__name__)


def _stop(message: str, location: str) -> None:
    """Report the problem, then end the build before it reads or writes.

    (An exception would end it too, but Sphinx reports any exception with its
    versions and a traceback, as if Sphinx itself had failed.)
    """
    logger.error(message, location=location, type="handbook", subtype="read-once")
    raise SystemExit(1)


def _note_reader(app: Sphinx) -> None:
    """In the read, note its builder; in a writer, check the read suits it."""
    env = app.env
    if not app.config.handbook_write_only:
        env.handbook_read_by = app.builder.name  # type: ignore[attr-defined]
        return
    reader = getattr(env, "handbook_read_by", None)
    excluded = set(app.config.smartquotes_excludes.get("builders", []))
    if reader is not None and (reader in excluded) != (app.builder.name in excluded):
        _stop(
            f"smartquotes_excludes['builders'] treats the {app.builder.name} builder and "
            f"the {reader} builder that read the sources differently, so one read cannot "
            f"serve both\n    How to fix: list both builders there, or neither.",
            conf_location(app.confdir, "smartquotes_excludes"),
        )


def _keep_citations(app: Sphinx) -> None:
    """In a writer, leave the reference list as the read formatted it."""
    if not app.config.handbook_write_only:
        return
    for listener in list(app.events.listeners["env-updated"]):
        if listener.handler is bibtex.env_updated:
            app.disconnect(listener.id)


def _refuse_to_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if not app.config.handbook_write_only or not docnames:
        return
    shown = ", ".join(docnames[:5]) + (f" and {len(docnames) - 5} more" if len(docnames) > 5 else "")
    if env.config_status != CONFIG_OK:
        why = "the settings changed after the sources were read" + (
            f" ({CONFIG_CHANGED_REASON.get(env.config_status, '')}"
            f"{env.config_status_extra or ''})")
    else:
        why = "the sources changed after they were read, or they were not read first"
    _stop(
        f"the {app.builder.name} build only writes, from the sources as make read them, "
        f"but {why}: it would read {shown} again\n    How to fix: run make again "
        f"(it reads every source afresh).",
        docnames[0],  # Sphinx names the page's file
    )


def setup(app: Sphinx) -> dict:
    app.add_config_value("handbook_write_only", False, "", types=frozenset({bool}),
                         description="this build writes from the sources read before (make)")
    app.connect("builder-inited", _note_reader)
    app.connect("builder-inited", _keep_citations)
    app.connect("env-before-read-docs", _refuse_to_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
