"""Schema fragments for rules the domain code enforces with its own, clearer messages.

The server checks these in ``voicesmith.voices`` and ``voicesmith.engine``
(a blank prompt, a UUID as a name, an unknown language, ...); the fragments
here only make the OpenAPI document say the same, so that what the schema
allows the server accepts and what it forbids the server refuses.
"""

from __future__ import annotations

from typing import Any

from voicesmith.engine.languages import accepted_values

# A character that str.isspace() rejects: the domain's `not value.strip()` test, as a regex
# (spelled out, because JSON Schema's \s and Python's differ on a few characters).
NON_BLANK = ("[^\\t-\\r\\x1c- \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029"
             "\\u202f\\u205f\\u3000]")

NAME_RULES: dict[str, Any] = {
    "pattern": NON_BLANK,
    # ids and names share the {id} path segment; NUL is no character a database keeps
    "not": {"anyOf": [{"format": "uuid"}, {"pattern": "\\x00"}]},
}

# Telnyx's provider enum is case-insensitive; this server synthesizes only `telnyx` itself.
PROVIDER_RULES: dict[str, Any] = {"pattern": "^[Tt][Ee][Ll][Nn][Yy][Xx]$"}


def language_rules(*, nullable: bool = False) -> dict[str, Any]:
    return {"enum": [*accepted_values(), *([None] if nullable else [])]}


# With language Auto, the language is detected from the text: a text in Korean or Russian
# script (and in no script the engine speaks) is refused, for it has no voices in them.
_SPOKEN_SCRIPT = "\\u3040-\\u30ff\\u4e00-\\u9fff\\u0900-\\u097f"
_UNSPOKEN_SCRIPT = "\\uac00-\\ud7af\\u0400-\\u04ff"
AUTO_TEXT_PATTERN = (f"^(?:[\\s\\S]*[{_SPOKEN_SCRIPT}][\\s\\S]*|[^{_UNSPOKEN_SCRIPT}]*)$")


def auto_language_rule(text_field: str, *, language_required: bool = False) -> dict[str, Any]:
    """``if`` the language is (or defaults to) Auto, ``then`` the text is in a spoken script."""
    is_auto: dict[str, Any] = {"properties": {"language": {"const": "Auto"}},
                               "required": ["language"]}
    condition = is_auto if language_required else \
        {"anyOf": [is_auto, {"not": {"required": ["language"]}}]}
    return {"if": condition,
            "then": {"properties": {text_field: {"pattern": AUTO_TEXT_PATTERN}}}}
