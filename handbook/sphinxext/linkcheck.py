"""A link check that always ends, and always says what it checked.

Sphinx's ``linkcheck`` builder (Sphinx 9) waits as long as a site's
``Retry-After`` asks after "429 Too Many Requests": ``limit_rate()`` in
``sphinx/builders/linkcheck.py`` caps the wait by ``linkcheck_rate_limit_timeout``
only when the site sends no ``Retry-After``, so ``Retry-After: 100000`` made
the weekly check wait until CI killed it, with no report. This extension
replaces the builder (``app.add_builder(..., override=True)``) with a
subclass that bounds the run:

- ``handbook_linkcheck_rate_limit_max`` (seconds, 120): the longest a site is
  waited for, in all, from its first 429. A site that asks for more, or is
  still refusing after it, is not asked again: its links are reported broken
  with ``429 Too Many Requests, still rate-limited ...`` (which the report,
  ``handbook/tools/linkreport.py``, lists as rate-limited) at their file and line.
- ``handbook_linkcheck_max_time`` (seconds, 1200): the run's total time, from
  the builder's start. When it is up, the links not yet checked are written
  to output.json as ``unchecked``, "not checked: ...", and the build fails.
- SIGTERM and SIGINT (a CI timeout, Ctrl-C) end the checking the same way:
  what was checked is kept, what was not is listed, and the build ends
  normally so that the report can be printed.

It subclasses three of Sphinx's classes and relies on these of their parts:
``HyperlinkAvailabilityCheckWorker.limit_rate()`` and ``_check()``,
``HyperlinkAvailabilityChecker.invoke_threads()`` and its ``rqueue``, and the
builder's ``process_result()``, ``write_linkstat()`` and ``write_entry()``. The
tests in tests/test_linkcheck.py run it against a hostile local server, so a
Sphinx that changes them fails there, not in CI on a Monday.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from sphinx.application import Sphinx
from sphinx.builders.linkcheck import (
    CheckExternalLinksBuilder,
    HyperlinkAvailabilityChecker,
    HyperlinkAvailabilityCheckWorker,
)
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(Exception):
    """The checking stopped before every link was checked; says why."""


class DeadlineQueue(queue.Queue):
    """The checker's queue of results, which stops waiting at a deadline or a signal."""

    def __init__(self, deadline: float, limit: float) -> None:
        super().__init__()
        self.deadline, self.limit = deadline, limit
        self.signalled = ""  # the name of the signal that asked us to stop

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        while True:
            if self.signalled:
                raise Stopped(f"the run was stopped by {self.signalled}")
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise Stopped(f"the run reached its time limit of {self.limit:g} s "
                              "(handbook_linkcheck_max_time in conf.py)")
            try:
                return super().get(timeout=min(left, 0.5))
            except queue.Empty:
                continue


class BoundedWorker(HyperlinkAvailabilityCheckWorker):
    """Sphinx's worker, with every wait for a rate-limited site bounded."""

    def __init__(self, checker: BoundedChecker) -> None:
        super().__init__(checker.config, checker.rqueue, checker.wqueue, checker.rate_limits)
        self.bound = checker.config.handbook_linkcheck_rate_limit_max
        self.since = checker.limited_since  # site: when its first 429 came
        self.given_up = checker.given_up  # site: the wait it asked for, when known

    def limit_rate(self, response_url: str, retry_after: str | None) -> float | None:
        """When to ask again, or None to stop asking (the link is then broken)."""
        site = urlsplit(response_url).netloc
        now = time.time()
        if site in self.given_up:
            return None
        if site not in self.rate_limits:  # its first 429 since it last answered
            self.since[site] = now
        next_check = super().limit_rate(response_url, retry_after)
        if next_check is not None and next_check <= self.since[site] + self.bound:
            return next_check
        self.rate_limits.pop(site, None)  # or its other links would wait as long
        self.given_up[site] = next_check - now if next_check is not None else None
        return None

    def _check(self, docname: str, uri: str, hyperlink: Any) -> tuple[str, str, int]:
        status, info, code = super()._check(docname, uri, hyperlink)
        if status == "broken" and info.startswith("429"):
            asked = self.given_up.get(urlsplit(uri).netloc)
            info = (f"429 Too Many Requests, still rate-limited after the {self.bound:g} s "
                    "the link check waits for a site at most"
                    + (f" (the site asked for {asked:.0f} s)" if asked else ""))
        return status, info, code


class BoundedChecker(HyperlinkAvailabilityChecker):
    """Sphinx's checker, with bounded workers and a results queue with a deadline."""

    def __init__(self, config: Config, deadline: float) -> None:
        super().__init__(config)
        self.rqueue = DeadlineQueue(deadline, config.handbook_linkcheck_max_time)
        self.limited_since: dict[str, float] = {}
        self.given_up: dict[str, float | None] = {}

    def invoke_threads(self) -> None:
        for _ in range(self.num_workers):
            worker = BoundedWorker(self)
            worker.start()
            self.workers.append(worker)


class BoundedLinkcheckBuilder(CheckExternalLinksBuilder):
    """Sphinx's linkcheck builder, which always ends and keeps what it checked."""

    def init(self) -> None:
        super().init()
        self.started = time.monotonic()
        if threading.current_thread() is threading.main_thread():
            # While the pages are read, SIGTERM stops the build as Ctrl-C does.
            signal.signal(signal.SIGTERM, signal.default_int_handler)

    def finish(self) -> None:
        limit = self.config.handbook_linkcheck_max_time
        checker = BoundedChecker(self.config, self.started + limit)
        results: DeadlineQueue = checker.rqueue
        previous = self._catch_signals(results)
        checked: set[str] = set()
        stopped = ""
        logger.info("")
        with (
            open(self.outdir / "output.txt", "w", encoding="utf-8") as self.txt_outfile,
            open(self.outdir / "output.json", "w", encoding="utf-8") as self.json_outfile,
        ):
            try:
                for result in checker.check(self.hyperlinks):
                    self.process_result(result)
                    checked.add(result.uri)
            except Stopped as stop:
                stopped = str(stop)
                self._write_unchecked(checked, stopped)
        self._restore_signals(previous)
        if stopped:
            missed = len(self.hyperlinks) - len(checked)
            logger.warning("link check stopped: %s; %d of %d links were not checked",
                           stopped, missed, len(self.hyperlinks),
                           type="handbook", subtype="linkcheck_stopped")
            self._app.statuscode = 1
        if self.broken_hyperlinks or self.timed_out_hyperlinks:
            self._app.statuscode = 1

    def _write_unchecked(self, checked: set[str], reason: str) -> None:
        for hyperlink in self.hyperlinks.values():
            if hyperlink.uri in checked:
                continue
            filename = self.env.doc2path(hyperlink.docname, False)
            self.write_linkstat({"filename": str(filename), "lineno": hyperlink.lineno,
                                 "status": "unchecked", "code": 0, "uri": hyperlink.uri,
                                 "info": f"not checked: {reason}"})
            self.write_entry("not checked", hyperlink.docname, filename, hyperlink.lineno,
                             hyperlink.uri)

    @staticmethod
    def _catch_signals(results: DeadlineQueue) -> dict:
        """While the links are checked, SIGTERM and SIGINT end the checking."""
        if threading.current_thread() is not threading.main_thread():
            return {}

        def stop(number: int, frame: Any) -> None:
            results.signalled = signal.Signals(number).name

        return {number: signal.signal(number, stop) for number in SIGNALS}

    @staticmethod
    def _restore_signals(previous: dict) -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.builders.linkcheck")
    app.add_builder(BoundedLinkcheckBuilder, override=True)
    seconds = frozenset({int, float})  # an int default, so that -D can set it
    app.add_config_value("handbook_linkcheck_rate_limit_max", 120, "", types=seconds,
                         description="seconds a rate-limited site is waited for, in all")
    app.add_config_value("handbook_linkcheck_max_time", 1200, "", types=seconds,
                         description="seconds the whole link check may take")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
