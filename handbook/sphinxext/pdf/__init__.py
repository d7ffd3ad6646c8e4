"""The ``pdf`` builder: the whole book as two tagged PDF/UA-1 files, standard and large print.

``sphinx-build -b pdf`` merges the pages into one doctree as ``singlehtml``
does (see `assemble`), writes it as Typst markup through `TypstTranslator`
(a docutils ``NodeVisitor``), and compiles that in-process with the Typst
compiler from PyPI, once at 12 pt and once at the large-print size, with the
page setup and cover of ``book.typ``.

- The compiler sees only the book's fonts (``handbook/print/fonts``): no
  system font, and not Typst's own, so a character the fonts lack cannot be
  drawn in another face. PDF/UA-1 export then fails on it, naming the text
  and the font, and the build stops with the page and line it came from.
  Any Typst error or warning is logged the same way, and no PDF is written.
- The same doctree is also written as one HTML page (``index.html`` beside
  the PDFs), which the link check and the text tests read as the book's
  headings, links and paragraphs.
- Typst describes an internal link by its target's page ("page 22") and a
  web link by its address, so those links are then described by their
  visible text (see `tags`), and the file's /ID is made from its content.
- The dates are ``SOURCE_DATE_EPOCH``'s or the last commit's, so the same
  commit gives the same bytes.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pikepdf
import typst
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.errors import SphinxError
from sphinx.util import logging

from handbook.shared import build_date

from .assemble import close_pages, drop_empty_sections, lift_chapters, repair_links
from .markup import label, string_literal
from .tags import describe_links, read_link_tags
from .translator import TypstTranslator

HERE = Path(__file__).resolve().parent
FONTS = HERE.parent.parent / "print" / "fonts"
TEMPLATE = HERE / "book.typ"
logger = logging.getLogger(__name__)


class PDFError(SphinxError):
    category = "PDF error"


class PDFBuilder(SingleFileHTMLBuilder):
    """Write the book as Typst markup and compile both editions to PDF."""

    name = "pdf"
    epilog = "The PDFs are in %(outdir)s."
    timings: dict[str, float] = {}  # seconds per edition, for make bench

    def init(self) -> None:
        super().init()
        self.config.html_permalinks = False  # no "¶" after the HTML page's headings

    def get_theme_config(self) -> tuple[str, dict]:
        # The HTML page is only the checks' view of the book: the bare theme.
        return "basic", {}

    def assemble_doctree(self) -> nodes.document:
        tree = super().assemble_doctree()
        self.first_sections = repair_links(tree, self.config.root_doc, self.config.html_baseurl)
        lift_chapters(tree)
        drop_empty_sections(tree)
        close_pages(tree)
        return tree

    def handle_page(self, pagename, addctx, templatename="page.html", *args, **kwargs):
        if pagename == self.config.root_doc:
            templatename = "pdf-book.html"
        super().handle_page(pagename, addctx, templatename, *args, **kwargs)

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        images = {uri: f"{self.imagedir}/{name}" for uri, name in self.images.items()}
        sections = {section["ids"][0] for section in doctree.findall(nodes.section)
                    if section["ids"]}
        self.translator = TypstTranslator(doctree, self, images, sections)
        doctree.walkabout(self.translator)
        super().write_doc(docname, doctree)

    def copy_static_files(self) -> None:
        pass  # the HTML page needs no stylesheet: nobody reads it but the checks

    def finish(self) -> None:
        super().finish()  # the HTML page, and the pictures, into _images/
        if self.translator.problems:
            self._fail(f"{self.translator.problems} passage(s) above cannot be printed")
            return
        outdir = Path(self.outdir)
        (outdir / "book.typ").write_text(TEMPLATE.read_text("utf-8"), "utf-8")
        markup = self.translator.astext()
        (outdir / "content.typ").write_text(markup, "utf-8")
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                            font_paths=[str(FONTS)])
        for edition, size in (("", self.config.pdf_body_size),
                              ("large_print", self.config.pdf_large_print_size)):
            name = self.config.pdf_large_print_filename if edition else self.config.pdf_filename
            main = outdir / Path(name).with_suffix(".typ").name
            main.write_text(self._main(size), "utf-8")
            start = time.perf_counter()
            if not self._compile(main, outdir / name, fonts, markup):
                self._fail("Typst could not make it (see above)")
                return
            self.timings[name] = time.perf_counter() - start
            logger.info("PDF written to %s", outdir / name)

    def _fail(self, why: str) -> None:
        """Write no PDF, and end the build with an error status even without -W."""
        logger.error("The PDF was not written: %s.", why, type="pdf", subtype="not-written")
        self.app.statuscode = 1

    def _main(self, size: str) -> str:
        """The Typst file of one edition: the template, at ``size``, around the book."""
        config = self.config
        date = build_date(Path(self.confdir))
        help_id = self.first_sections.get(config.handbook_help_page)
        if help_id is None:
            raise PDFError(f"handbook_help_page {config.handbook_help_page!r} (conf.py) is not a page of the book")
        meta = {
            "title": config.project, "subtitle": config.handbook_subtitle, "author": config.author,
            "edition": config.release, "date": config.today, "licence": config.handbook_licence,
            "licence-url": config.handbook_licence_url,
            "draft": config.handbook_draft,  # a commit id, or "" for a release (make dist)
        }
        fields = ", ".join(f"{string_literal(k)}: {string_literal(v)}" for k, v in meta.items())
        keywords = ", ".join(string_literal(k) for k in config.pdf_keywords)
        timestamp = (f"datetime(year: {date.year}, month: {date.month}, day: {date.day}, "
                     f"hour: {date.hour}, minute: {date.minute}, second: {date.second})")
        return (
            '#import "book.typ": book\n'
            f"#show: book.with(size: {size}, help: {label(help_id)}, meta: (\n"
            f"  {fields},\n  keywords: ({keywords},), timestamp: {timestamp},\n))\n"
            '#include "content.typ"\n'
        )

    def _compile(self, main: Path, target: Path, fonts, markup: str) -> bool:
        """Compile one edition; log each Typst error or warning at its source line.

        Returns whether the PDF was written.
        """
        compiler = typst.Compiler(str(main), root=str(main.parent), font_paths=fonts,
                                  ignore_system_fonts=True)
        stamp = int(build_date(Path(self.confdir)).timestamp())
        try:
            data, warnings = compiler.compile_with_warnings(pdf_standards=["ua-1"], timestamp=stamp)
        except typst.TypstError as error:
            warnings, data = [error], None  # one error, or several in its diagnostic
        if warnings:
            for problem in warnings:
                for where, message in self._explain(problem, markup):
                    logger.error("PDF: %s", message, location=where, type="pdf", subtype="typst")
            return False
        with pikepdf.open(io.BytesIO(data)) as pdf:
            describe_links(pdf, read_link_tags(pdf))
            # The /ID from the content, not the clock: the same book, the same bytes.
            pdf.save(target, deterministic_id=True)
        return True

    def _explain(self, problem, markup: str) -> list[tuple[str | None, str]]:
        """Typst's messages, each with the handbook page and line it came from.

        A Typst error may hold several (each missing glyph is one); its
        diagnostic lists them as ``error: ...`` lines, each with its place.
        """
        diagnostic = getattr(problem, "diagnostic", "") or str(problem)
        found, message = [], None
        for line in diagnostic.splitlines():
            head = re.match(r"^(?:error|warning): (.*)$", line)
            place = re.search(r"content\.typ:(\d+):", line)
            if head:
                if message:
                    found.append((None, message))
                message = head[1]
            elif place and message:
                found.append((self.translator.location_of_line(markup, int(place[1])), message))
                message = None
        if message:
            found.append((None, message + "\n" + diagnostic))
        if not found:
            found.append((None, diagnostic))
        hints = "".join(f" (hint: {hint})" for hint in getattr(problem, "hints", []) or [])
        return [(where, text + hints) for where, text in found]


def _add_large_print_link(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The website's pages link the large-print edition beside the PDF."""
    context["pdf_large_print_filename"] = app.config.pdf_large_print_filename


def setup(app: Sphinx) -> dict:
    app.add_config_value("pdf_filename", "book.pdf", "env", types=frozenset({str}))
    app.add_config_value("pdf_large_print_filename", "book-large-print.pdf", "env",
                         types=frozenset({str}))
    app.add_config_value("pdf_keywords", [], "env", types=frozenset({list}))
    app.add_config_value("pdf_body_size", "12pt", "env", types=frozenset({str}))
    app.add_config_value("pdf_large_print_size", "18pt", "env", types=frozenset({str}))
    app.add_builder(PDFBuilder)
    app.connect("html-page-context", _add_large_print_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
