"""Identifier helpers shared by the store and the domain."""

from __future__ import annotations

import uuid


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def storable(value: str) -> bool:
    """False for a string no row can hold (NUL: PostgreSQL refuses it in text), so a
    lookup by it finds nothing without asking the database (which would fail)."""
    return "\x00" not in value
