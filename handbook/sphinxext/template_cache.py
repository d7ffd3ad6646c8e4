"""The page templates, compiled once and kept beside the doctrees.

Jinja turns each theme template into Python code the first time a build
renders it; in the website, the PDF's HTML page and the EPUB that is a few
dozen templates, compiled again by every build (a third of a second of the
website writer's time at 28 pages, cProfile). Jinja's own
``FileSystemBytecodeCache`` keeps the compiled code in the build's doctree
folder: it checks each template's source against what it compiled, so an
edited template is compiled afresh, and it writes each file whole (a
temporary file renamed), so make's three writers can share one folder.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from sphinx.application import Sphinx

FOLDER = "jinja-bytecode"  # in the doctree folder


def _cache_templates(app: Sphinx) -> None:
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None:  # a builder without Jinja templates
        return
    folder = Path(app.doctreedir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _cache_templates)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
