"""The theme templates are compiled once and kept with the doctrees
(handbook/sphinxext/template_cache.py): a later build compiles none and
writes the same site."""

import shutil

from jinja2.sandbox import SandboxedEnvironment
from utils import BUILDINFO, ROOTS, folder_files

from handbook.sphinxext.template_cache import FOLDER


def test_a_second_build_compiles_no_template_and_writes_the_same_site(make_app, tmp_path,
                                                                      monkeypatch):
    shutil.copytree(ROOTS / "test-small-book", tmp_path / "src")
    compiled = []
    compile_template = SandboxedEnvironment.compile

    def counted(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return compile_template(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(SandboxedEnvironment, "compile", counted)
    sites, counts = [], []
    for _ in range(2):  # as make writes: a fresh output folder, the doctree folder kept
        app = make_app("html", srcdir=tmp_path / "src", freshenv=True)
        app.build()
        assert app.statuscode == 0
        sites.append(folder_files(app.outdir, BUILDINFO))
        assert any((app.doctreedir / FOLDER).iterdir())
        counts.append([name for name in compiled if name])  # by file, not from a string
        compiled.clear()
        app.cleanup()
        shutil.rmtree(app.outdir)
    assert counts[0], "the first build compiled no template: nothing was measured"
    assert counts[1] == []
    assert sites[1] == sites[0]
