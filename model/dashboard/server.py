"""Starting the dashboard: the shared workshop, the address, and a token beyond loopback.

One :class:`Workshop` per server holds what every browser session shares:
the scenarios folder, the run queue and its cache. The page is Solara's
Starlette app served by uvicorn. On a loopback address anyone on the machine
may open it; bound to any other address it asks for a token printed at
start, as notebook servers do: ``/?token=...`` sets a cookie, and every
request and websocket without it is refused. Whatever the address, requests
for another host name (DNS rebinding) and from pages of other origins are
refused too.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import os
import secrets
import signal
import socket
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from model.dashboard.library import Library, load_library
from model.dashboard.runs import ReplicateCache, RunQueue
from model.experiments.executors import ExecutorChoice
from model.inputs.errors import InputError, Problem
from model.inputs.region import RegionData, cached_region

APP = "model.dashboard.app"
COOKIE = "regionsim-dashboard-token"


@dataclass
class Workshop:
    """What every session of one server shares.

    Attributes:
        folder: the scenarios folder (bases, and where scenarios are saved).
        library: its scenarios (re-read after a save).
        region: the region's data.
        cache: finished replicates.
        queue: the run queue on the executor.
    """

    folder: Path
    library: Library
    region: RegionData
    cache: ReplicateCache
    queue: RunQueue

    def reload(self) -> None:
        """Re-read the scenarios folder (after a save), for every session."""
        self.library = load_library(self.folder)


_workshop: Workshop | None = None


def workshop() -> Workshop:
    """The server's workshop (the page reads it)."""
    if _workshop is None:
        raise RuntimeError("the dashboard runs under `regionsim dashboard`")
    return _workshop


def prepare(folder: Path, cache: Path, choice: ExecutorChoice) -> Workshop:
    """Read the scenarios folder and set up the queue; bad input raises InputError before anything starts."""
    global _workshop
    if not (folder / "baseline.yaml").is_file():
        raise InputError(
            Problem(folder, "no baseline.yaml here", hint="run from the project folder, or pass --scenarios DIR")
        )
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(
            Problem(cache, f"cannot write there ({error.strerror})", hint="choose another --cache")
        ) from None
    library = load_library(folder)
    region = cached_region(Path(library.baseline.region_folder))
    replicates = ReplicateCache(cache)
    _workshop = Workshop(folder, library, region, replicates, RunQueue(replicates, choice))
    return _workshop


def is_loopback(host: str) -> bool:
    """Whether an address is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_socket(host: str, port: int) -> socket.socket:
    """A listening socket, or an InputError naming the option to change."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except socket.gaierror as error:
        raise InputError(Problem("command line", f"--host {host}: unknown address ({error.strerror})")) from None
    except OSError as error:
        hint = "choose another --port" if error.errno == errno.EADDRINUSE else "choose another --host or --port"
        raise InputError(
            Problem("command line", f"--port {port}: cannot listen ({error.strerror})", hint=hint)
        ) from None
    return listener


async def refuse(scope: dict, send: Callable, body: bytes, content_type: bytes) -> None:
    """Refuse a request: a websocket is closed with 1008 (policy violation), a page gets 403 and `body`."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class OriginGate:
    """ASGI middleware: only requests addressed to this server, from pages this server served, get through.

    A web page elsewhere can make a browser on the machine send requests to a loopback
    server; the browser names that page in `Origin`, and a DNS-rebinding page names its
    own host in `Host`. Both must be one of the names this server answers to (its port
    included in `Origin`). Requests without `Origin` (not a browser's cross-site ones)
    are judged by `Host` alone.
    """

    def __init__(self, app: Callable, hosts: list[str], port: int):
        self.app = app
        self.hosts = {h.strip("[]").lower() for h in hosts}
        self.port = port

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        """Pass, or refuse with 403 (a websocket: closed with 1008, policy violation)."""
        if scope["type"] not in ("http", "websocket") or self._allowed(dict(scope.get("headers", []))):
            await self.app(scope, receive, send)
            return
        body = b"This dashboard answers only to its own address, and to pages it served."
        await refuse(scope, send, body, b"text/plain; charset=utf-8")

    def _allowed(self, headers: dict[bytes, bytes]) -> bool:
        host = headers.get(b"host", b"").decode("latin-1")
        if _host_of(host) not in self.hosts:
            return False
        origin = headers.get(b"origin")
        if origin is None:
            return True
        parsed = urlsplit(origin.decode("latin-1"))
        try:
            port = parsed.port or {"http": 80, "https": 443}.get(parsed.scheme)
        except ValueError:
            return False
        return parsed.scheme in ("http", "https") and (parsed.hostname or "") in self.hosts and port == self.port


def _host_of(header: str) -> str:
    """The host name of a Host header, without its port ('[::1]:8765' -> '::1')."""
    if header.startswith("["):
        return header[1 : header.find("]")].lower() if "]" in header else ""
    return header.rsplit(":", 1)[0].lower() if header.count(":") == 1 else header.lower()


def served_hosts(host: str) -> list[str]:
    """The names a server bound to `host` answers to.

    Loopback names always, the bound address, and for every address (0.0.0.0, ::) this machine's
    addresses and name.
    """
    names = ["localhost", "127.0.0.1", "::1", host]
    if host in ("0.0.0.0", "::"):
        names += _reachable_hosts()
    return names


class TokenGate:
    """ASGI middleware: only requests that carry the token (in the query once, then in a cookie) get through."""

    def __init__(self, app: Callable, token: str, cookie: str = COOKIE):
        self.app = app
        self.token = token
        self.cookie = cookie

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        """Pass, redirect with a cookie, or refuse."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("token", [None])[0]
        if given is not None and self._valid(given):
            if scope["type"] == "http":
                await self._redirect(scope, query, send)
                return
            await self.app(scope, receive, send)
            return
        if self._valid(self._cookie(scope)):
            await self.app(scope, receive, send)
            return
        body = (
            b"<!DOCTYPE html><html><body style='font-family: sans-serif; margin: 3em'><h1>Token needed</h1>"
            b"<p>This dashboard asks for the token printed when it started: open the address "
            b"<code>http://HOST:PORT/?token=...</code> that <code>regionsim dashboard</code> printed.</p></body></html>"
        )
        await refuse(scope, send, body, b"text/html; charset=utf-8")

    def _valid(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def _cookie(self, scope: dict) -> str | None:
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                jar = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header is no token
                    return None
                if self.cookie in jar:
                    return jar[self.cookie].value
        return None

    async def _redirect(self, scope: dict, query: dict, send: Callable) -> None:
        """To the same address without the token, which now lives in a cookie."""
        rest = urlencode({k: v for k, v in query.items() if k != "token"}, doseq=True)
        # '//evil.example/' is a scheme-relative address of another site: never redirect off this one.
        path = "/" + (scope.get("root_path", "") + scope["path"]).lstrip("/\\")
        location = path + (f"?{rest}" if rest else "")
        cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode()),
                    (b"set-cookie", cookie.encode()),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def solara_app() -> Callable:
    """Solara's Starlette app serving the dashboard page, configured for a local, offline server."""
    os.environ["SOLARA_APP"] = APP
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    os.environ.setdefault("SOLARA_THEME_TITLE", "regionsim workshop")
    os.environ.setdefault("SOLARA_MODE", "production")
    os.environ.setdefault("SOLARA_SESSION_SECRET_KEY", secrets.token_urlsafe(32))
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.server.starlette import app

    return app


def _reachable_hosts() -> list[str]:
    """Names the room's laptops can use for a server bound to every address.

    The machine's own IPv4 addresses first (its host name may resolve only on
    this machine), then its name.
    """
    import psutil

    addresses = [
        entry.address
        for entries in psutil.net_if_addrs().values()
        for entry in entries
        if entry.family == socket.AF_INET and not entry.address.startswith("127.")
    ]
    return [*addresses, socket.gethostname()]


def serve(
    listener: socket.socket,
    token: str | None,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the page on a listening socket until interrupted (the workshop must be prepared)."""
    import uvicorn

    app = solara_app()
    if token:
        app = TokenGate(app, token)
    host, port = listener.getsockname()[:2]
    app = OriginGate(app, served_hosts(host), port)
    query = f"?token={token}" if token else ""
    shown = _reachable_hosts() if host in ("0.0.0.0", "::") else [f"[{host}]" if ":" in host else host]
    addresses = " or ".join(f"http://{name}:{port}/{query}" for name in shown)
    announce(f"regionsim dashboard: open {addresses} in a browser (Ctrl-C stops it)")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    # uvicorn stops gracefully on SIGTERM, then raises it again under the handler it found: let that
    # handler end the process through the `finally` below, so the process pool is shut down too.
    previous = signal.signal(signal.SIGTERM, _exit) if threading.current_thread() is threading.main_thread() else None
    try:
        server.run(sockets=[listener])
    except KeyboardInterrupt:  # Ctrl-C: a normal way to stop
        pass
    finally:
        workshop().queue.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit(signum: int, frame: object) -> None:
    """A stop signal: leave through the normal exit path."""
    raise SystemExit(0)
