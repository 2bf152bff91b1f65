"""Serve a review on 127.0.0.1, on a free port, behind a random token, until Ctrl-C."""

from __future__ import annotations

import os
import secrets
import socket
import sys
import webbrowser
from collections.abc import Callable

from .app import create_app
from .session import Review


def serve(review: Review, *, open_browser: bool = True, announce: Callable[[str], None] = print) -> None:
    """Serve ``review`` until interrupted; ``announce`` gets the page's address first.

    Ctrl-C (or SIGTERM) stops the server, then any render in progress (its
    partial file removed), and raises KeyboardInterrupt to the caller.
    """
    import uvicorn

    token = secrets.token_urlsafe(18)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))  # this machine only, on a port the system finds free
        sock.listen(64)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/?token={token}"
        announce(url)
        config = uvicorn.Config(
            create_app(review, token), log_level="warning", lifespan="off", timeout_graceful_shutdown=2,
        )
        if open_browser and _has_desktop():
            webbrowser.open(url)  # the socket already listens: the browser's request waits in its queue
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        review.close()
        sock.close()


def _has_desktop() -> bool:
    """Whether a graphical browser can open here: without a display, Python's webbrowser
    module would start a text browser in the terminal the server is printing to."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
