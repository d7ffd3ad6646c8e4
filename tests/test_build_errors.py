"""A broken source stops the build with a message that says where."""

from utils import ROOTS, build_in_process


def test_broken_cross_reference_fails_naming_file_and_line(make_app, tmp_path):
    built = build_in_process(make_app, ROOTS / "broken-xref", tmp_path, "html")
    assert built.status != 0
    assert "index.md:5" in built.warnings and "missing-page" in built.warnings
    assert "index.md:7" in built.warnings and "a-label-nobody-defined" in built.warnings
