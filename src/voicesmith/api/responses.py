"""JSON responses serialized once.

A route that returns a pydantic model has FastAPI validate it against the
``response_model`` and then serialize it; for a model this server built itself
the validation only repeats work (it was a fifth of a design list's cost). The
hot read routes return ``json_response(model)`` instead and keep their
``response_model`` for the OpenAPI document.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code,
                    media_type="application/json")
