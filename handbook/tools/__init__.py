"""Command-line tools that run outside the build: ``python -m handbook.tools.NAME``."""
