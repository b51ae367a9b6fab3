"""Where the training-only packages live: scikit-learn, numpy and scipy, apart from the web's.

`sqlite-utils` imports numpy whenever it can (`sqlite_utils/db.py` runs
`importlib.import_module("numpy")` at import and keeps it if it loads), which costs every
gunicorn worker about 16 MB. So `requirements-train.txt` is installed with
`pip install --no-deps --target <venv>/nlu-train` (the Makefile and deploy/install.sh do it),
a directory the web process never has on its path; training adds it to `sys.path` first.
"""

import sys
from pathlib import Path

TRAINING_PACKAGES = Path(sys.prefix) / "nlu-train"


def use_training_packages():
    """Put the training-only packages on `sys.path` (after the venv's own); return the dir."""
    path = str(TRAINING_PACKAGES)
    if TRAINING_PACKAGES.is_dir() and path not in sys.path:
        sys.path.append(path)
    return TRAINING_PACKAGES
