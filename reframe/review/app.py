"""The review page's web app: the page, the source video and a small JSON API over a :class:`Review`.

Every request but the page's own script and style sheet must carry the
review's token (``?token=`` or the ``X-Reframe-Token`` header): the server
listens on 127.0.0.1 only, and the token keeps other local users' and web
pages' requests out.

API (JSON; errors are ``{"error": "..."}`` with a 4xx status):

- ``GET  /api/path``        the crop path, every frame's window, the panels, the shots
- ``GET  /api/shots``       the shots (layout, reason, zoom, times)
- ``GET  /api/detections``  what the analysis found on each sample
- ``POST /api/shot``        ``{"shot": 1, "layout": "fit", "zoom": 1.2}`` (either or both)
- ``POST /api/pin``         ``{"time": 3.2, "x": 1400, "y": 380}`` (or ``"frame"``)
- ``POST /api/keyframe``    ``{"frame": 40, "x": 700, "y": 0}`` the window's top-left corner
- ``POST /api/undo``        the last correction undone
- ``POST /api/path``        a whole crop path (JSON) replaces the one under review
- ``POST /api/save``        writes the crop path (atomically)
- ``POST /api/render``      starts rendering; ``GET /api/render`` its progress
"""

from __future__ import annotations

import json
import mimetypes
import secrets
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .session import Refused, Review

STATIC = resources.files("reframe.review") / "static"
_OPEN = {"/review.js", "/review.css"}  # the page's code: no data, no token needed


def create_app(review: Review, token: str) -> Starlette:
    """The ASGI app serving ``review`` to requests that carry ``token``."""

    def api(handler):
        async def endpoint(request: Request) -> Response:
            body = None
            if request.method == "POST":
                raw = await request.body()
                try:
                    body = json.loads(raw) if raw else {}
                except json.JSONDecodeError as e:
                    return _error(400, f"request body is not JSON: {e}")
                if handler is not load and not isinstance(body, dict):
                    return _error(400, "request body must be a JSON object")
            try:
                # Off the event loop: a correction re-plans, which takes a moment.
                return JSONResponse(await run_in_threadpool(handler, body))
            except Refused as e:
                return _error(e.status, e.message)
            except (KeyError, TypeError) as e:
                return _error(400, f"bad request: {type(e).__name__}: {e}")

        return endpoint

    def shot(body):
        return review.set_shot(body["shot"], body.get("layout"), body.get("zoom"))

    def pin(body):
        return review.pin(body["x"], body["y"], body.get("time"), body.get("frame"))

    def keyframe(body):
        return review.keyframe(body["frame"], body["x"], body["y"])

    def load(body):
        return review.load(body)

    async def page(request: Request) -> Response:
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        return HTMLResponse(html.replace("{{name}}", _escape(review.info.path.name)))

    async def static(request: Request) -> Response:
        name = request.url.path.lstrip("/")
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((STATIC / name).read_text(encoding="utf-8"), media_type=kind)

    async def video(request: Request) -> Response:
        # FileResponse answers Range requests, which seeking in a <video> needs.
        kind = mimetypes.guess_type(review.info.path.name)[0] or "video/mp4"
        return FileResponse(review.info.path, media_type=kind)

    def get(handler):
        return api(lambda _: handler())

    routes = [
        Route("/", page),
        Route("/review.js", static),
        Route("/review.css", static),
        Route("/video", video),
        Route("/api/path", get(review.view), methods=["GET"]),
        Route("/api/path", api(load), methods=["POST"]),
        Route("/api/shots", get(review.shots), methods=["GET"]),
        Route("/api/detections", get(review.detections), methods=["GET"]),
        Route("/api/shot", api(shot), methods=["POST"]),
        Route("/api/pin", api(pin), methods=["POST"]),
        Route("/api/keyframe", api(keyframe), methods=["POST"]),
        Route("/api/undo", api(lambda _: review.undo()), methods=["POST"]),
        Route("/api/save", api(lambda _: review.save()), methods=["POST"]),
        Route("/api/render", api(lambda _: review.start_render()), methods=["POST"]),
        Route("/api/render", get(review.render_status), methods=["GET"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_TokenCheck, token=token)])


class _TokenCheck:
    """Refuses (403) every request without the review's token, but for the page's own code."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] not in _OPEN:
            request = Request(scope)
            given = request.headers.get("x-reframe-token") or request.query_params.get("token") or ""
            if not secrets.compare_digest(given.encode(), self.token):
                await _error(403, "wrong or missing token: open the address reframe review printed")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
