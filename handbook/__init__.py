"""Tools that build and check the Peer Support Handbook.

- ``site``: Sphinx extension for the website (PDF and help links).
- ``pdf``: the ``pdf`` builder, which turns the book into a tagged PDF.
- ``edition``: the edition date, reproducible from ``SOURCE_DATE_EPOCH``.
"""
