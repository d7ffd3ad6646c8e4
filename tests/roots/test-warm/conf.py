"""A small book whose conf.py notes the process that runs it (tests/test_warm_builds.py).

Each build adds a line to the file named by WARM_PROBE: its process, the
parent, its folder, settings and arguments, and whether MyST, an extension
listed below, was imported before conf.py ran (as it is in a build forked
from the warm server, and is not in a new process). WARM_PAUSE makes
the build wait that many seconds after that.
"""

import json
import os
import sys
import time

_PRELOADED = "myst_parser" in sys.modules  # before Sphinx imports the extensions below


def setup(app):
    """Note this process (Sphinx runs conf.py in its folder, and this back in the build's)."""
    mode = os.umask(0)
    os.umask(mode)
    with open(os.environ["WARM_PROBE"], "a", encoding="utf-8") as probe:
        probe.write(json.dumps({
            "pid": os.getpid(), "parent": os.getppid(), "cwd": os.getcwd(),
            "argv": sys.argv, "setting": os.environ.get("WARM_SETTING"), "umask": mode,
            "nice": os.getpriority(os.PRIO_PROCESS, 0), "preloaded": _PRELOADED,
        }) + "\n")
    time.sleep(float(os.environ.get("WARM_PAUSE", "0")))


project = "Warm"
extensions = ["myst_parser"]
exclude_patterns = ["_build"]
