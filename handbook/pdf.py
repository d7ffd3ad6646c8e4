"""The ``pdf`` builder: the whole book as one tagged, printable PDF."""

from sphinx.application import Sphinx
from sphinx.builders.singlehtml import SingleFileHTMLBuilder


class PDFBuilder(SingleFileHTMLBuilder):
    name = "pdf"


def setup(app: Sphinx) -> dict:
    app.add_config_value("pdf_filename", "book.pdf", "env")
    app.add_config_value("pdf_keywords", [], "env")
    app.add_builder(PDFBuilder)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
