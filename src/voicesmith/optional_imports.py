"""Optional extras' heavy parts: imported quietly with a hint of what to install, loaded once.

The clone and eval extras' old libraries (resemblyzer, webrtcvad) warn about
deprecated scipy/pkg_resources APIs at import, which is noise for callers; a
missing one should say which extra brings it, not only its module name.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Generic, TypeVar

T = TypeVar("T")


def import_optional(module: str, missing: str) -> ModuleType:
    """Import ``module``, or raise an ImportError starting with ``missing`` (what to install)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{missing}  (import of '{module}' failed: {exc})") from exc


class Lazy(Generic[T]):
    """A value built on first use, once, even when first used from two threads.

    Models take seconds to load and hundreds of MB; ``functools.lru_cache``
    alone can build them twice under concurrent first calls.
    """

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._value: T | None = None

    def get(self) -> T:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._factory()
        return self._value

    @property
    def loaded(self) -> bool:
        return self._value is not None
