"""Strict JSON: what Python's ``json`` accepts silently is refused, with where and why.

Python's ``json`` accepts what RFC 8259 leaves undefined or forbids, and each
of these would reach a caller unannounced: a duplicate key (the last one silently
wins, while another parser in front of us may have read the first), NaN and
Infinity, 1e400 (read as infinity), integers of thousands of digits (a
ValueError from deep inside parsing), unpaired surrogate escapes ("\\ud800",
half a character that cannot even be stored), and nesting a thousand deep (a
RecursionError). ``parse_json`` refuses them all with a ``MalformedJson``
that says what and where. Not HTTP: request bodies (``api/json_bodies.py``)
and the live speech frames (``voices/live_frames.py``) are both read with it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

# Deeper than any request body here needs (the deepest is 3).
MAX_DEPTH = 32
# Longer number literals are refused: no field takes a 100-digit number, and
# Python refuses integers over 4300 digits only after parsing them.
MAX_NUMBER_CHARS = 100


class MalformedJson(Exception):
    def __init__(self, detail: str, *, pointer: str = "", title: str = "Malformed JSON") -> None:
        super().__init__(detail)
        self.detail = detail
        self.pointer = pointer
        self.title = title


class _Refused:
    """A value the hooks could not accept, reported with its pointer by ``_check``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _DuplicateKeys(dict[str, Any]):
    duplicate: str = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                flagged = _DuplicateKeys(obj)
                flagged.duplicate = key
                return flagged
            seen.add(key)
    return obj


def _number(parse: Callable[[str], int | float]) -> Callable[[str], object]:
    def read(literal: str) -> object:
        if len(literal) > MAX_NUMBER_CHARS:
            return _Refused(f"a number of {len(literal):,} characters (at most "
                            f"{MAX_NUMBER_CHARS} are accepted)")
        value = parse(literal)
        if isinstance(value, float) and not math.isfinite(value):
            return _Refused(f"{literal} is out of range for a number")
        return value

    return read


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a JSON number")


def parse_json(data: bytes | str) -> Any:
    """The JSON value of ``data``; MalformedJson for what RFC 8259 does not define (see above).

    A syntax error is raised as json's own ``JSONDecodeError``.
    """
    try:
        value = json.loads(data, object_pairs_hook=_pairs, parse_int=_number(int),
                           parse_float=_number(float), parse_constant=_constant)
    except RecursionError as exc:
        raise MalformedJson(f"The JSON is nested too deeply: at most {MAX_DEPTH} levels of "
                            "objects and arrays are accepted.") from exc
    except UnicodeDecodeError as exc:
        raise MalformedJson(f"The JSON is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} "
                            f"at offset {exc.start:,}).") from exc
    _check(value)
    return value


def _check(value: Any) -> None:
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, pointer, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise MalformedJson(f"The JSON is nested too deeply: at most {MAX_DEPTH} levels of "
                                "objects and arrays are accepted.", pointer=pointer)
        if isinstance(item, _Refused):
            raise MalformedJson(f"{pointer or 'The body'}: {item.reason}.", pointer=pointer)
        if isinstance(item, str):
            _check_text(item, pointer)
        elif isinstance(item, dict):
            if isinstance(item, _DuplicateKeys):
                raise MalformedJson(
                    f"The key {item.duplicate!r} appears twice in the object at {pointer or '/'}: "
                    "send each key once.", pointer=f"{pointer}/{_escape(item.duplicate)}")
            for key, child in item.items():
                child_pointer = f"{pointer}/{_escape(key)}"
                _check_text(key, child_pointer)
                stack.append((child, child_pointer, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{pointer}/{i}", depth + 1) for i, child in enumerate(item))


def _check_text(text: str, pointer: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedJson(
            f"{pointer or 'The body'} has an unpaired UTF-16 surrogate "
            f"(\\u{ord(text[exc.start]):04x}) at character {exc.start:,}: half of a character, "
            "not a character. Send the whole character (a surrogate pair) or remove it.",
            pointer=pointer, title="Invalid parameter") from exc


def _escape(key: str) -> str:
    # RFC 6901; an unpaired surrogate in a key is reported, not echoed
    return key.encode("utf-8", "backslashreplace").decode().replace("~", "~0").replace("/", "~1")
