"""Whether this install can clone from recordings: the ``clone`` extra.

Capture needs a speaker encoder (resemblyzer, on torch). It is an optional extra so that the server's base install stays light;
without them upload cloning answers a clear error instead of crashing.
"""

from __future__ import annotations

import importlib.util

from voicesmith.errors import FeatureUnavailableError

CLONE_EXTRA_INSTALL = 'pip install "voicesmith[clone]"'
# (module to find, distribution to install)
_CAPTURE_PACKAGES = (("torch", "torch"), ("resemblyzer", "resemblyzer"))


def missing_capture_packages() -> list[str]:
    """Distributions capture needs that are not installed (cheap: nothing is imported)."""
    return [dist for module, dist in _CAPTURE_PACKAGES if importlib.util.find_spec(module) is None]


def missing_packages_error(missing: list[str], what: str) -> FeatureUnavailableError:
    return FeatureUnavailableError(
        f"{what} needs the optional package(s) {', '.join(missing)}, which this server does "
        f"not have. Install the clone extra ({CLONE_EXTRA_INSTALL}; scripts/serve.sh installs "
        "it by default) and restart the server.")


def require_capture() -> None:
    """Raise ``FeatureUnavailableError`` (503, not retryable) if capture cannot run here."""
    missing = missing_capture_packages()
    if missing:
        raise missing_packages_error(missing, "Cloning a voice from a recording")
