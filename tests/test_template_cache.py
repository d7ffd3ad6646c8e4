"""The theme templates are compiled once and kept with the doctrees
(handbook/sphinxext/template_cache.py): a later build compiles none and
writes the same site."""

import shutil

from jinja2.sandbox import SandboxedEnvironment
from utils import ROOTS

from handbook.sphinxext.template_cache import FOLDER


def _site(app) -> dict[str, bytes]:
    return {p.relative_to(app.outdir).as_posix(): p.read_bytes()
            for p in sorted(app.outdir.rglob("*")) if p.is_file() and p.name != ".buildinfo"}


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
        sites.append(_site(app))
        assert any((app.doctreedir / FOLDER).iterdir())
        counts.append([name for name in compiled if name])  # by file, not from a string
        compiled.clear()
        app.cleanup()
        shutil.rmtree(app.outdir)
    assert counts[0], "the first build compiled no template: nothing was measured"
    assert counts[1] == []
    assert sites[1] == sites[0]
