"""The date an edition carries: reproducible, taken from one place.

``SOURCE_DATE_EPOCH`` wins when it is set (reproducible builds); otherwise
the date of the last commit; outside a git checkout, today.
"""

import datetime as dt
import os
import subprocess
from pathlib import Path


def build_date(root: Path) -> dt.datetime:
    """Return the edition's timestamp in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        try:
            epoch = subprocess.run(
                ["git", "log", "-1", "--format=%ct"],
                cwd=root, capture_output=True, text=True, check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            epoch = ""
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc)
