"""The Peer Support Handbook's code, in two layers and what they share.

- ``sphinxext/``: the Sphinx extensions that run inside every build (conf.py's
  ``extensions`` lists them): the website's additions (``site``, ``lean``), the
  PDF builder (``pdf``), the contributor checks and their messages (``checks``,
  ``messages``), each page's review dates (``review``) and feedback links
  (``feedback``), the reference list's order (``bibliography``),
  publishing (``publish``), and ``readonce``, which lets ``make`` read the
  sources once for all three outputs.
- ``tools/``: command-line tools that run outside the build, on its sources or
  its output (``python -m handbook.tools.NAME``): link checks (``links``,
  ``linkreport``), text checks (``dedupe``, ``prose``, which read pages through
  ``myst_text``), releases (``dist``), the
  live preview (``live``) and the benchmark (``bench``).
- ``shared.py``: what both layers need (the edition's date, reproducible zips,
  reading conf.py). A build imports nothing from ``tools/``.

Assets beside them: ``templates/`` and ``static/`` (the website), ``print/``
(the PDF), ``brand/`` (the EPUB's theme, the social card).
"""
