"""The design lab: a single static page served at ``/`` that drives the /v2 API.

The page is plain HTML, CSS and ES modules in ``static/`` (no build step, no CDN):
what ships is what a reviewer reads. The route that serves it is
``voicesmith.api.routers.lab``.
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
