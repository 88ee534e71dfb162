"""`gdtui serve`: the app in a browser, one app process per visitor (textual-serve), for a class.

Safe by default:
- it binds to 127.0.0.1 unless told otherwise, and says so on stderr when it is told;
- the command each visitor's process runs is fixed here, from the scenario the teacher named,
  never from anything in a request;
- a visitor's `s` delivers the scenario file to their browser instead of writing on the
  server's disk (the app knows it is served: App.is_web);
- past --max-sessions, a visitor gets a page that says the class is full, and no process.
"""

from __future__ import annotations

import shlex
import sys

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_COLUMNS, MAX_ROWS = 400, 150   # a visitor's terminal: larger would cost the server memory and CPU
FULL_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>gdtui: full</title></head>
<body style="font-family: monospace; background: #0c181f; color: #eee; padding: 3em">
<h1>gdtui: this session is full</h1>
<p>All {limit} places are taken. Try again when someone leaves, or ask your teacher to raise
<code>--max-sessions</code>.</p></body></html>"""


def command_for(scenario_path: str) -> str:
    """What each visitor's process runs: this Python, gdtui, the scenario's file. Nothing else."""
    return f"{shlex.quote(sys.executable)} -m gdtui play {shlex.quote(scenario_path)}"


def make_server(scenario_path: str, host: str, port: int, max_sessions: int):
    """A textual-serve Server for the scenario, which refuses visitors past `max_sessions`, gives
    each page the address the visitor used (not the one it listens on: 0.0.0.0 is nobody's), and
    keeps each terminal within MAX_COLUMNS × MAX_ROWS."""
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    _clamp_terminal_size(AppService)

    class ClassroomServer(Server):
        def __init__(self):
            super().__init__(command_for(scenario_path), host=host, port=port, title="gdtui")
            self.max_sessions = max_sessions
            self.sessions = 0

        def full(self) -> bool:
            return self.sessions >= self.max_sessions

        async def handle_index(self, request):
            if self.full():
                return web.Response(status=503, text=FULL_PAGE.format(limit=self.max_sessions),
                                    content_type="text/html")
            # the page's scripts and websocket at the address the visitor reached us by
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request):
            if self.full():   # (a page opened before the class filled up)
                return web.Response(status=503, text="full")
            self.sessions += 1
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions -= 1

    return ClassroomServer()


def _clamp_terminal_size(service_class):
    """Every size a visitor's browser asks for (at the start, on each resize) within
    MAX_COLUMNS × MAX_ROWS. (textual-serve takes them as sent; this process serves nothing else.)"""
    if getattr(service_class, "_gdtui_clamped", False):
        return
    start, resize = service_class.start, service_class.set_terminal_size

    async def clamped_start(self, width, height):
        return await start(self, min(int(width), MAX_COLUMNS), min(int(height), MAX_ROWS))

    async def clamped_resize(self, width, height):
        return await resize(self, min(int(width), MAX_COLUMNS), min(int(height), MAX_ROWS))

    service_class.start, service_class.set_terminal_size = clamped_start, clamped_resize
    service_class._gdtui_clamped = True
