"""A broken source stops the build with a message that says where."""

from utils import ROOTS, sphinx_build


def test_broken_cross_reference_fails_naming_file_and_line(tmp_path):
    result = sphinx_build(ROOTS / "broken-xref", tmp_path / "out")
    assert result.returncode != 0
    assert "index.md:5" in result.stderr and "missing-page" in result.stderr
    assert "index.md:7" in result.stderr and "a-label-nobody-defined" in result.stderr
