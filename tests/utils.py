"""Helpers the tests share (imported as ``from utils import ...``, not from conftest)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
ROOTS = Path(__file__).resolve().parent / "roots"  # the test projects
