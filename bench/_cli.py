"""The ``seqtune`` command of the environment running a bench script."""

from __future__ import annotations

import os
import shutil
import sys


def seqtune_command() -> str:
    """The ``seqtune`` console script beside this interpreter (a virtualenv need not be activated), else on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "seqtune")
    return beside if os.path.exists(beside) else (shutil.which("seqtune") or "seqtune")
