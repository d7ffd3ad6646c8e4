"""Helpers the tests share (imported as ``from utils import ...``, not from conftest)."""

from __future__ import annotations

import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
ROOTS = Path(__file__).resolve().parent / "roots"  # the test projects


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
