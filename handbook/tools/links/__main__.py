"""``python -m handbook.tools.links BUILDDIR``: see the package's docstring."""

import sys

from handbook.tools.links import main

sys.exit(main())
