"""Importing an optional extra's module: quietly, and with a hint of what to install.

The clone and eval extras' old libraries (resemblyzer, webrtcvad) warn about
deprecated scipy/pkg_resources APIs at import, which is noise for callers; a
missing one should say which extra brings it, not only its module name.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType


def import_optional(module: str, missing: str) -> ModuleType:
    """Import ``module``, or raise an ImportError starting with ``missing`` (what to install)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{missing}  (import of '{module}' failed: {exc})") from exc
