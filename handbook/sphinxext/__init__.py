"""Sphinx extensions: the code that runs inside the build (see conf.py's extensions)."""
