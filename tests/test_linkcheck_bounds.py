"""`make linkcheck` always ends, and always reports (issue 13).

Against the local web server (linkcheck_server.py): a site that asks to wait
for a day, one that keeps refusing, a run that reaches its time limit, and a
run stopped by a signal, as a CI runner's timeout or Ctrl-C stops it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

import linkcheck_server
from linkcheck_server import (
    OFFLINE, finished, line_of, local_settings, make_command, make_linkcheck, one_page,
)
from utils import ROOT

# The local web server (a fixture).
site = linkcheck_server.site


def test_a_site_asking_to_wait_for_a_day_is_reported_rate_limited_not_waited_for(
        site, config, tmp_path):
    uri = f"{site.url}/hostile"
    docs = one_page(tmp_path, f"{site.url}/page", uri)
    bounded = make_linkcheck(docs, tmp_path / "build", [
        *local_settings(config, site.url), "-D", "handbook_linkcheck_rate_limit_max=2"])
    link = bounded.results[uri]
    assert link.status == "broken" and link.info.startswith("429 ")
    assert "still rate-limited after the 2 s" in link.info and "asked for 100000 s" in link.info
    assert bounded.status(f"{site.url}/page") == "working"
    assert bounded.returncode != 0
    assert "Timed out or rate-limited (1): " in bounded.report
    assert f"{docs / 'index.md'}:{line_of(docs / 'index.md', uri)}: {uri}" in bounded.report


def test_a_site_that_keeps_refusing_is_given_up_after_the_bound(site, config, tmp_path):
    uri = f"{site.url}/refusing"
    docs = one_page(tmp_path, uri)
    before = site.requests["/refusing"]
    bounded = make_linkcheck(docs, tmp_path / "build", [
        *local_settings(config, site.url), "-D", "handbook_linkcheck_rate_limit_max=2"])
    assert bounded.status(uri) == "broken"
    assert "still rate-limited after the 2 s" in bounded.results[uri].info
    assert site.requests["/refusing"] - before >= 2  # it waited, and asked again


def test_the_run_stops_at_its_time_limit_and_lists_what_it_did_not_check(
        site, config, tmp_path):
    uri = f"{site.url}/refusing"
    docs = one_page(tmp_path, f"{site.url}/page", uri)
    bounded = make_linkcheck(docs, tmp_path / "build", [
        *local_settings(config, site.url), "-D", "handbook_linkcheck_rate_limit_max=600",
        "-D", "handbook_linkcheck_max_time=4"])
    link = bounded.results[uri]
    assert (link.status, link.info.split(":")[0]) == ("unchecked", "not checked")
    assert "time limit of 4 s" in link.info
    assert bounded.status(f"{site.url}/page") == "working"
    assert bounded.returncode != 0
    assert "Not checked (1): " in bounded.report
    assert f"{docs / 'index.md'}:{line_of(docs / 'index.md', uri)}: {uri}" in bounded.report


@pytest.mark.parametrize("how", ["SIGTERM to make", "SIGINT to its process group"])
def test_an_interrupted_run_still_reports_what_it_checked(site, config, tmp_path, how):
    uri = f"{site.url}/refusing"
    docs = one_page(tmp_path, f"{site.url}/page", uri)
    build = tmp_path / "build"
    before = site.requests["/refusing"]
    command = make_command(docs, build, [
        *local_settings(config, site.url), "-D", "handbook_linkcheck_rate_limit_max=600"])
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=OFFLINE, start_new_session=True) as make:
        deadline = time.monotonic() + 60
        while site.requests["/refusing"] - before < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # until the check is waiting for the refusing site
        if how.startswith("SIGTERM"):
            make.send_signal(signal.SIGTERM)  # as a CI runner's timeout does
        else:
            os.killpg(make.pid, signal.SIGINT)  # as Ctrl-C in a terminal does
        report, errors = make.communicate(timeout=60)
    stopped = finished(docs, build, make.returncode, report)
    assert stopped.returncode != 0
    assert stopped.status(f"{site.url}/page") == "working"
    assert stopped.status(uri) == "unchecked"
    assert "stopped by SIG" in stopped.results[uri].info
    assert "Checked 2 links: 1 unchecked, 1 working" in report, report + errors
    assert "Not checked (1): " in report
