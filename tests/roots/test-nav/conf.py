"""A book of nested chapters, built in-process with the handbook's own configuration.

sphinx.testing reads conf.py from the test root, so this one takes every
setting of the handbook's conf.py (extensions included) and changes none.
"""

from handbook.shared import read_conf

globals().update({k: v for k, v in read_conf().items() if not k.startswith("__")})
