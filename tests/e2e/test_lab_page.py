"""GET / serves the design lab page and its files, with no browser needed.

The browser flows are tests/e2e/test_lab.py; this checks what any HTTP client sees:
the page needs no key, carries a strict Content-Security-Policy, revalidates by ETag,
serves only the lab's own files, and stays out of the API's OpenAPI document.
"""

from __future__ import annotations

import re

import httpx

from tests.e2e.server import RunningServer
from voicesmith.lab import STATIC_DIR


def _root(server: RunningServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def test_the_page_needs_no_key_and_is_locked_to_its_origin(fast_server: RunningServer) -> None:
    page = httpx.get(f"{_root(fast_server)}/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["x-content-type-options"] == "nosniff"
    # No inline script or style: everything the page runs is a file served here.
    assert "<script>" not in page.text and "style=" not in page.text
    assert re.findall(r'<script type="module" src="([^"]+)"', page.text) == ["/lab/main.js"]
    again = httpx.get(f"{_root(fast_server)}/", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_every_static_file_is_served_with_its_type(fast_server: RunningServer) -> None:
    types = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
    names = sorted(p.name for p in STATIC_DIR.iterdir() if p.suffix in types)
    assert "main.js" in names and "lab.css" in names
    for name in names:
        r = httpx.get(f"{_root(fast_server)}/lab/{name}")
        assert r.status_code == 200, name
        assert r.headers["content-type"].startswith(types[name[name.rindex("."):]])
        assert r.content == (STATIC_DIR / name).read_bytes()


def test_nothing_else_is_served(fast_server: RunningServer) -> None:
    for path in ("/lab/nothing.js", "/lab/..%2F__init__.py", "/lab/__init__.py",
                 "/lab/%2e%2e/api/app.py", "/index.html"):
        r = httpx.get(f"{_root(fast_server)}{path}")
        assert r.status_code == 404, path
        assert r.json()["errors"][0]["code"] == "10005"


def test_the_page_is_not_part_of_the_api_document(fast_server: RunningServer) -> None:
    paths = httpx.get(f"{_root(fast_server)}/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/lab") for p in paths)
