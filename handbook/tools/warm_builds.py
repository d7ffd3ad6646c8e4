"""Sphinx builds started warm: make's writers forked from a process that has Sphinx imported.

``make`` reads the sources once, then runs three writers (see readonce.py).
Each writer used to be a new Python process that spent about 0.9 s importing
Sphinx, MyST, the theme and the extensions before it wrote anything, while
one of the machine's cores sat idle during the read. Now:

- ``serve NAME --until PID -- sphinx-build ARGS`` (make's read) forks a
  *warm server* first, then runs the read in this process. The server
  imports what conf.py's builds use, on the core the read leaves free, and
  then waits for writers on a local socket named by NAME, until the process
  PID (make) ends.
- ``run NAME -- sphinx-build ARGS`` (each writer) asks that server to fork a
  build with these arguments. The build gets this command's standard
  streams, folder, environment and niceness, and this command ends with the
  build's exit status (or signal), so make sees what it would see of
  sphinx-build itself. SIGTERM, SIGINT and SIGHUP sent to this command are
  passed on to the build.
- With no server to ask (a make that read nothing, another system, a
  server that failed), ``run`` runs the command itself, as make did before.

Each build is forked from a server that has imported modules and done
nothing else: no build has run in it, so a forked build starts in the state
a new process reaches once it has imported the same modules. The server's
socket is in Linux's abstract namespace, so nothing is left on disk, and its
name includes make's run, so a writer talks only to its own make's server.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import hashlib
import importlib
import json
import os
import selectors
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
CHUNK = 65536
LOG = "HANDBOOK_WARM_LOG"  # a file to note each build the server forks in (for tests)


def address(name: str) -> str:
    """The server's socket, in Linux's abstract namespace (``@handbook-...``)."""
    return "\0handbook-warm-" + hashlib.sha256(name.encode()).hexdigest()[:32]


def _sphinx_main(command: Sequence[str]) -> int:
    """Run ``sphinx-build ARGS`` in this process, as the sphinx-build command does."""
    from sphinx.cmd.build import main

    sys.argv = list(command)
    try:
        return main(list(command[1:]))
    except SystemExit as stop:  # as the interpreter reads a SystemExit's code
        return stop.code if isinstance(stop.code, int) else (stop.code is not None)


# -- The server -------------------------------------------------------------

def _preload(command: Sequence[str]) -> None:
    """Import what the builds of this command's conf.py will import: Sphinx's
    own extensions, and the extensions and theme conf.py names as literals.

    conf.py is read, not run: the server runs no code of the book's. Best
    effort: whatever fails to import here fails again, with Sphinx's own
    message, in the build that needs it.
    """
    args = list(command[1:])
    confdir = args[args.index("-c") + 1] if "-c" in args else args[-2]
    try:
        import sphinx.cmd.build  # noqa: F401
        from sphinx.application import builtin_extensions

        conf = _literals(Path(confdir, "conf.py"), ("extensions", "html_theme"))
    except Exception:  # no Sphinx, or conf.py unreadable: the read reports it
        return
    for module in (*builtin_extensions, *conf.get("extensions", ()), conf.get("html_theme")):
        with contextlib.suppress(Exception):
            importlib.import_module(module)


def _literals(conf: Path, names: Sequence[str]) -> dict:
    """The values conf.py assigns to ``names`` as literals, read without running it."""
    found = {}
    for node in ast.parse(conf.read_bytes(), str(conf)).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in names):
            with contextlib.suppress(ValueError):
                found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def _watch(pid: int) -> int | None:
    """A file descriptor that becomes readable when ``pid`` ends (None: poll)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(name: str, until: int, command: Sequence[str]) -> dict:
    """Be the warm server: preload, then fork a build per request.

    Returns only in a forked build, with its request (the build then runs
    and ends as a new process would, through the interpreter's own exit).
    """
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # hold none of make's pipes, log files or job slots open
        os.dup2(devnull, fd)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    for sig in FORWARDED:
        signal.signal(sig, signal.SIG_DFL)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(address(name))
    except OSError:  # another server has this name: leave it to that one
        os._exit(0)
    listener.listen(16)
    _preload(command)
    gc.freeze()  # what the imports made is shared with each build, unchanged
    watched = _watch(until)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    if watched is not None:
        selector.register(watched, selectors.EVENT_READ)
    while True:
        ready = {key.fileobj for key, _ in selector.select(timeout=None if watched else 0.5)}
        if watched in ready or (watched is None and not _alive(until)):
            break
        if listener in ready:
            connection, _ = listener.accept()
            if os.fork() == 0:
                selector.close()
                listener.close()
                if watched is not None:
                    os.close(watched)
                return _handle(connection)
            connection.close()
        with contextlib.suppress(ChildProcessError):  # none left to reap
            while os.waitpid(-1, os.WNOHANG)[0]:  # reap what has ended, so its
                pass  # time counts as this process's
    listener.close()
    with contextlib.suppress(ChildProcessError):
        while True:
            os.waitpid(-1, 0)
    os._exit(0)


def _handle(connection: socket.socket) -> dict:
    """One request: fork the build, tell the client its pid, then how it ended.

    Returns only in the forked build, set up as the client is (`_take_on`).
    """
    try:
        for sig in FORWARDED:  # the client passes signals on to the build itself
            signal.signal(sig, signal.SIG_IGN)
        data, fds, _, _ = socket.recv_fds(connection, CHUNK, 3)
        while more := connection.recv(CHUNK):  # the client ends its request with EOF
            data += more
        request = json.loads(data)
        build = os.fork()
        if build == 0:
            connection.close()
            try:
                _take_on(request, fds)
            except Exception as error:  # its folder is gone, say: as sphinx-build would fail
                print(f"{request['command'][0]}: {error}", file=sys.stderr)
                os._exit(1)
            return request
        for fd in fds:
            os.close(fd)
        if LOG in os.environ:  # what make's tests look at: which builds ran warm
            with open(os.environ[LOG], "a", encoding="utf-8") as log:
                log.write(json.dumps({"pid": build, "command": request["command"]}) + "\n")
        connection.sendall(json.dumps({"pid": build}).encode() + b"\n")
        _, status = os.waitpid(build, 0)
        if os.WIFSIGNALED(status):
            result = {"signal": os.WTERMSIG(status)}
        else:
            result = {"exit": os.waitstatus_to_exitcode(status)}
        connection.sendall(json.dumps(result).encode() + b"\n")
    except BaseException:
        pass
    os._exit(0)


def _take_on(request: dict, fds: list[int]) -> None:
    """In the forked build: take on the client's streams, folder and settings."""
    for sig in FORWARDED:
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(request["umask"])
    if request["nice"] > os.getpriority(os.PRIO_PROCESS, 0):
        os.setpriority(os.PRIO_PROCESS, 0, request["nice"])


# -- The client -------------------------------------------------------------

def run(name: str, command: Sequence[str]) -> int:
    """Have the warm server run ``command``; with none, run it here."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(address(name))
    except OSError:
        client.close()
        os.execv(command[0], list(command))
    umask = os.umask(0)
    os.umask(umask)
    request = {"command": list(command), "cwd": os.getcwd(), "env": dict(os.environ),
               "umask": umask, "nice": os.getpriority(os.PRIO_PROCESS, 0)}
    streams = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            streams.append(fd)
        except OSError:
            streams.append(os.open(os.devnull, os.O_RDWR))
    data = json.dumps(request).encode()
    try:
        socket.send_fds(client, [data[:CHUNK]], streams)
        client.sendall(data[CHUNK:])
        client.shutdown(socket.SHUT_WR)
        replies = client.makefile("rb")
        first = replies.readline()
    except OSError:
        first = b""
    if not first:  # the server ended before it started the build: run it here
        client.close()
        os.execv(command[0], list(command))
    build = json.loads(first)["pid"]
    for sig in FORWARDED:
        signal.signal(sig, lambda number, _frame: os.kill(build, number))
    result = replies.readline()
    if not result:
        return _lost(command)
    ended = json.loads(result)
    if "signal" in ended:  # end as the build did, so make reports the same
        signal.signal(ended["signal"], signal.SIG_DFL)
        os.kill(os.getpid(), ended["signal"])
    return ended["exit"]


def _lost(command: Sequence[str]) -> int:
    print(f"{' '.join(command[:1])}: the warm server ended before the build did; "
          "run make again", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook.tools.warm_builds",
                                     description=__doc__.split("\n\n")[0])
    actions = parser.add_subparsers(dest="action", required=True)
    served = actions.add_parser("serve", help="start the warm server, then run COMMAND here")
    served.add_argument("name")
    served.add_argument("--until", type=int, required=True, help="serve until this process ends")
    served.add_argument("command", nargs="+", help="-- sphinx-build ARGS")
    asked = actions.add_parser("run", help="have the warm server run COMMAND (or run it here)")
    asked.add_argument("name")
    asked.add_argument("command", nargs="+", help="-- sphinx-build ARGS")
    args = parser.parse_args(argv)
    if os.path.basename(args.command[0]) != "sphinx-build":
        parser.error(f"the command is sphinx-build and its arguments, not {args.command[0]}")
    if args.action == "run":
        return run(args.name, args.command)
    # The server stays in make's process group, so Ctrl-C ends it with make.
    if os.fork() == 0:
        try:
            request = serve(args.name, args.until, args.command)
        except BaseException:  # in the server: it ends, and writers run as they are
            os._exit(1)
        return _sphinx_main(request["command"])  # in a forked build
    return _sphinx_main(args.command)


if __name__ == "__main__":
    sys.exit(main())
