"""The link check's report on its own, and the handbook's link-check settings and CI.

handbook.tools.linkreport reads Sphinx's output.json and prints the problems
by kind, each at its file and line; these tests give it results written by
hand, without a run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from utils import ROOT

from handbook.tools.linkreport import main


def write_results(path: Path, *links: dict) -> Path:
    """An output.json as Sphinx writes it: one JSON object a line."""
    path.write_text("".join(json.dumps(link) + "\n" for link in links), encoding="utf-8")
    return path


def test_a_site_still_refusing_with_429_is_reported_as_rate_limited(tmp_path, capsys):
    results = write_results(tmp_path / "output.json", {
        "filename": "help-now.md", "lineno": 36, "status": "broken", "code": 0,
        "uri": "https://example.org/", "info": "429 Client Error: Too Many Requests"})
    assert main(["--docs", str(tmp_path / "docs"), str(results)]) == 1
    report = capsys.readouterr().out
    assert "Timed out or rate-limited (1): " in report and "Broken" not in report
    assert f"{tmp_path}/docs/help-now.md:36: https://example.org/" in report


def test_the_report_fails_only_for_links_that_need_fixing(tmp_path, capsys):
    results = write_results(
        tmp_path / "output.json",
        {"filename": "a.md", "lineno": 1, "status": "working", "code": 0, "uri": "u", "info": ""},
        {"filename": "a.md", "lineno": 2, "status": "ignored", "code": 0, "uri": "v", "info": ""},
    )
    assert main([str(results)]) == 0
    assert "Checked 2 links: 1 ignored, 1 working" in capsys.readouterr().out


def test_no_results_to_read_is_an_error_of_its_own(tmp_path, capsys):
    assert main([str(tmp_path / "missing.json")]) == 2
    assert "No link check results" in capsys.readouterr().err


# -- The handbook's own settings and CI ------------------------------------------

def test_conf_lets_every_cited_doi_lead_on_to_its_publisher(config):
    dois = re.findall(r"doi\s*=\s*\{([^}]+)\}", (ROOT / "docs/references.bib").read_text())
    allowed = [re.compile(pattern) for pattern in config["linkcheck_allowed_redirects"]]
    assert dois
    for doi in dois:
        assert any(pattern.match(f"https://doi.org/{doi}") for pattern in allowed), doi


def test_ci_checks_the_links_weekly_and_keeps_the_report():
    workflow = yaml.safe_load((ROOT / ".github/workflows/linkcheck.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["linkcheck"]["steps"]
    assert triggers["schedule"] and "docs/**" in triggers["pull_request"]["paths"]
    assert any(step.get("run") == "make linkcheck" for step in steps)
    kept = next(step for step in steps if "upload-artifact" in step.get("uses", ""))
    assert kept["if"] == "always()"
    assert "output.json" in kept["with"]["path"] and "output.txt" in kept["with"]["path"]
