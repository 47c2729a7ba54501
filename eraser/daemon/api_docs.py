"""The API's documentation served by the daemon itself: Swagger UI from the files the fastapi-offline package
ships (no CDN), and the OpenAPI document, both behind a bearer token.

The page carries the OpenAPI document inline, so the browser needs the token once, for the page itself.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from eraser.daemon.access import Principal, requires

ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon.png": "image/png"}

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"><link rel="icon" href="/docs/assets/favicon.png">
</head><body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{spec: {spec}, dom_id: "#swagger-ui", presets: [SwaggerUIBundle.presets.apis]}});</script>
</body></html>
"""


def _script_safe(document: dict[str, Any]) -> str:
    # Inside <script>, "</" could end the element early.
    return json.dumps(document).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def add_docs(app: FastAPI) -> None:
    """GET /openapi.json and /docs for any valid token; /docs/assets/* are the Swagger UI files themselves."""
    static = resources.files("fastapi_offline").joinpath("static")
    any_token = requires("submit", "approve", "hold", "read", action="reading the API documentation")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document(_who: Principal = any_token) -> dict[str, Any]:
        return app.openapi()

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs_page(_who: Principal = any_token) -> str:
        return _PAGE.format(title=f"{app.title} {app.version}", spec=_script_safe(app.openapi()))

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise HTTPException(404, "there is no such documentation file.")
        return FileResponse(str(static.joinpath(name)), media_type=ASSETS[name])
