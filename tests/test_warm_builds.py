"""Builds started warm (handbook/tools/warm_builds.py): make's writers forked from one server.

Each test starts the read as make does (``serve``), on a small book whose
conf.py notes every process that runs it (tests/roots/test-warm), then asks
for writers as make does (``run``). That the outputs are those of separate
builds, through make, is test_build_flow's to show.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, ROOTS
from handbook.tools import warm_builds

BOOK = ROOTS / "test-warm"
SPHINX_BUILD = str(Path(sys.executable).with_name("sphinx-build"))
WARM = [sys.executable, "-m", "handbook.tools.warm_builds"]


class Book:
    """One book's read and writers, under ``folder``, served until ``self.make`` ends."""

    def __init__(self, folder: Path):
        self.folder, self.probe = folder, folder / "probe.jsonl"
        self.name = f"{folder}-warm"
        self.make = subprocess.Popen(["sleep", "300"])  # stands in for make

    def command(self, builder: str, *extra: str) -> list[str]:
        return [SPHINX_BUILD, "-W", "-q", "-c", str(BOOK), *extra, "-d",
                str(self.folder / "doctrees"), "-b", builder, str(BOOK),
                str(self.folder / builder)]

    def env(self, **settings: str) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(ROOT), "WARM_PROBE": str(self.probe),
                **settings}

    def read(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*WARM, "serve", self.name, "--until", str(self.make.pid), "--",
             *self.command("dummy", "-E")],
            capture_output=True, text=True, env=self.env(), timeout=120)

    def write(self, builder: str, *extra: str, prefix: tuple[str, ...] = (),
              **settings: str) -> subprocess.Popen:
        return subprocess.Popen(
            [*prefix, *WARM, "run", self.name, "--", *self.command(builder, *extra)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=self.env(**settings), cwd=self.folder)

    def notes(self) -> list[dict]:
        return [json.loads(line) for line in self.probe.read_text("utf-8").splitlines()]

    def end(self) -> None:
        self.make.kill()
        self.make.wait()


@pytest.fixture
def book(tmp_path):
    served = Book(tmp_path)
    yield served
    served.end()


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def test_a_writer_is_forked_warm_and_runs_as_its_command_would(book):
    read = book.read()  # returns at once though the server goes on (it holds no pipe)
    assert read.returncode == 0, read.stderr
    umask = "sh", "-c", 'umask 027 && exec "$@"', "sh"
    writer = book.write("html", prefix=("nice", "-n", "5", *umask), WARM_SETTING="the writer's")
    status, stderr = _finish(writer)

    assert status == 0, stderr
    assert (book.folder / "html" / "index.html").is_file()
    reading, writing = book.notes()
    assert not reading["preloaded"]  # the read is an ordinary process ...
    assert writing["preloaded"]  # ... and the writer found MyST imported
    assert writing["parent"] != writer.pid  # forked by the server, not run by `run`
    assert writing["argv"] == book.command("html")
    assert (writing["cwd"], writing["setting"], writing["nice"], writing["umask"]) == (
        str(book.folder), "the writer's", reading["nice"] + 5, 0o027)
    assert reading["umask"] != 0o027


def test_the_server_holds_none_of_the_callers_files(book):
    """Not only its streams: a pipe the read inherited (make's job slots, say)
    reaches its end when the read ends, though the server goes on."""
    end, kept = os.pipe()
    read = subprocess.Popen(
        [*WARM, "serve", book.name, "--until", str(book.make.pid), "--",
         *book.command("dummy", "-E")],
        pass_fds=(kept,), env=book.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(kept)
    assert read.wait(timeout=120) == 0
    readable, _, _ = select.select([end], [], [], 10)
    assert readable and os.read(end, 1) == b"", "the server still holds the read's pipe"
    os.close(end)
    status, stderr = _finish(book.write("html"))  # and it serves
    assert status == 0 and book.notes()[-1]["preloaded"], stderr


def test_a_request_larger_than_one_read_arrives_whole(book):
    assert book.read().returncode == 0
    large = "x" * (warm_builds.CHUNK * 3 // 2)  # an environment can be that large
    status, stderr = _finish(book.write("html", WARM_SETTING=large))
    assert status == 0, stderr
    assert book.notes()[-1]["setting"] == large and book.notes()[-1]["preloaded"]


def test_the_builds_messages_and_status_reach_the_caller(book):
    assert book.read().returncode == 0
    status, stderr = _finish(book.write("html", "-D", "no_such_setting=1"))
    assert status != 0
    assert "no_such_setting" in stderr  # Sphinx's warning, on the caller's stderr
    assert book.notes()[-1]["preloaded"]  # and it came from a warm build


def test_without_a_server_run_runs_the_command_itself(book):
    writer = book.write("html")  # no read: no server has this name
    status, stderr = _finish(writer)
    assert status == 0, stderr
    (note,) = book.notes()
    assert not note["preloaded"] and note["pid"] == writer.pid


def test_the_server_ends_with_the_process_it_serves(book):
    assert book.read().returncode == 0
    book.end()
    for _ in range(100):  # the server notices within moments
        try:
            probe = socket.socket(socket.AF_UNIX)
            probe.connect(warm_builds.address(book.name))
            probe.close()
        except OSError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the warm server outlived the process it served")
    status, stderr = _finish(book.write("html"))
    assert status == 0, stderr
    assert not book.notes()[-1]["preloaded"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_caller_reaches_the_build(book, sig):
    assert book.read().returncode == 0
    writer = book.write("html", WARM_PAUSE="60")
    for _ in range(200):
        if book.probe.exists() and len(book.notes()) == 2:
            break
        time.sleep(0.05)
    build = book.notes()[-1]
    assert build["preloaded"] and Path(f"/proc/{build['pid']}").exists()
    writer.send_signal(sig)
    for _ in range(100):  # (it holds the caller's output open while it runs)
        if not Path(f"/proc/{build['pid']}").exists():
            break
        time.sleep(0.1)
    else:
        writer.kill()
        pytest.fail(f"the build went on after {sig.name} reached the caller")
    status, _ = _finish(writer)
    assert status != 0


def test_the_command_must_be_sphinx_build():
    result = subprocess.run([*WARM, "run", "x", "--", "rm", "-rf", "somewhere"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "the command is sphinx-build" in result.stderr
