"""Starting the dashboard: the command's bad input, loopback by default, a token beyond it."""

from __future__ import annotations

import asyncio
import socket
import sys
import urllib.error
import urllib.request

import pytest
from typer.testing import CliRunner

from model.cli import app
from model.dashboard import server
from model.inputs.errors import InputError
from tests.e2e.serving import copy_library, dashboard


def test_only_loopback_addresses_go_without_a_token():
    """127.x, ::1 and localhost are this machine; anything else asks for the token."""
    assert server.is_loopback("127.0.0.1") and server.is_loopback("127.0.0.2")
    assert server.is_loopback("::1") and server.is_loopback("localhost")
    assert not server.is_loopback("0.0.0.0") and not server.is_loopback("192.168.1.10")
    assert not server.is_loopback("workshop.example")


async def _call(gate: server.TokenGate, scope: dict) -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request"}

    async def send(message: dict) -> None:
        sent.append(message)

    await gate(scope, receive, send)
    return sent


def _scope(kind: str = "http", query: str = "", cookie: str | None = None) -> dict:
    headers = [(b"cookie", cookie.encode())] if cookie else []
    return {"type": kind, "path": "/", "query_string": query.encode(), "headers": headers}


def test_the_token_gate_lets_through_only_the_token():
    """No token: 403 (websockets closed); the token once: a cookie and a redirect; then the cookie."""
    passed = []

    async def inner(scope, receive, send):
        passed.append(scope["type"])

    gate = server.TokenGate(inner, "s3cret", cookie="tok")
    refused = asyncio.run(_call(gate, _scope()))
    assert refused[0]["status"] == 403 and b"token" in refused[1]["body"]
    assert asyncio.run(_call(gate, _scope(query="token=wrong")))[0]["status"] == 403
    assert asyncio.run(_call(gate, _scope("websocket")))[0] == {"type": "websocket.close", "code": 1008}
    redirect = asyncio.run(_call(gate, _scope(query="token=s3cret&tab=2")))[0]
    headers = dict(redirect["headers"])
    assert redirect["status"] == 303 and headers[b"location"] == b"/?tab=2"
    assert headers[b"set-cookie"].startswith(b"tok=s3cret;") and b"HttpOnly" in headers[b"set-cookie"]
    assert passed == []
    asyncio.run(_call(gate, _scope(cookie="other=1; tok=s3cret")))
    asyncio.run(_call(gate, _scope("websocket", cookie="tok=s3cret")))
    asyncio.run(_call(gate, {"type": "lifespan"}))
    assert passed == ["http", "websocket", "lifespan"]


def test_bad_input_exits_with_code_2_and_one_located_line(tmp_path):
    """A missing scenarios folder, a busy port and two executors are refused before anything starts."""
    runner = CliRunner()
    missing = runner.invoke(
        app, ["dashboard", "--port", "0", "--scenarios", str(tmp_path / "none"), "--cache", str(tmp_path)]
    )
    assert missing.exit_code == 2
    assert "no baseline.yaml here" in missing.output and "Traceback" not in missing.output
    both = runner.invoke(app, ["dashboard", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"])
    assert both.exit_code == 2 and "choose one of --workers" in both.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = runner.invoke(app, ["dashboard", "--port", str(port), "--cache", str(tmp_path / "cache")])
    assert taken.exit_code == 2 and f"--port {port}: cannot listen" in taken.output
    with pytest.raises(InputError, match="unknown address"):
        server.open_socket("no-such-host.invalid", 0)


def _get(url: str, cookie: str | None = None) -> tuple[int, dict, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def test_a_served_page_behind_a_token_needs_it(tmp_path):
    """The real server with a token: refused without it, a cookie for it, the page with the cookie."""
    folder = copy_library(tmp_path / "scenarios")
    script = (
        "from pathlib import Path\n"
        "from model.dashboard import server\n"
        "from model.experiments.executors import ExecutorChoice\n"
        f"server.prepare(Path({str(folder)!r}), Path({str(tmp_path / 'cache')!r}), ExecutorChoice(workers=1))\n"
        "server.serve(server.open_socket('127.0.0.1', 0), 'xyz-token')\n"
    )
    with dashboard([sys.executable, "-u", "-c", script]) as served:
        address = served.address
        assert address.endswith("/?token=xyz-token")
        root = address.split("?")[0]
        status, _, body = _get(root)
        assert status == 403 and "Token needed" in body
        status, headers, _ = _get(address)
        assert status == 303 and headers["location"] == "/"
        cookie = headers["set-cookie"].split(";")[0]
        status, _, body = _get(root, cookie)
        assert status == 200 and "solara" in body.lower()


def test_the_command_serves_on_loopback_without_a_token(tmp_path):
    """`regionsim dashboard` prints a loopback address; the page opens there as it is."""
    from tests.e2e.serving import regionsim

    folder = copy_library(tmp_path / "scenarios")
    command = regionsim("dashboard", "--port", "0", "--scenarios", str(folder), "--cache", str(tmp_path / "c"))
    with dashboard(command) as served:
        address = served.address
        assert address.startswith("http://127.0.0.1:") and "token" not in address
        status, _, body = _get(address)
        assert status == 200 and "solara" in body.lower()


def _headers_scope(kind: str, host: str, origin: str | None = None, path: str = "/") -> dict:
    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
    return {"type": kind, "path": path, "query_string": b"", "headers": headers}


def test_the_origin_gate_refuses_other_sites_and_other_host_names():
    """A foreign Origin or a rebound Host is refused (websockets closed with 1008); the page's own pass."""
    passed = []

    async def inner(scope, receive, send):
        passed.append(scope["type"])

    gate = server.OriginGate(inner, server.served_hosts("127.0.0.1"), 8765)
    assert asyncio.run(_call(gate, _headers_scope("http", "evil.example:8765")))[0]["status"] == 403
    foreign = asyncio.run(_call(gate, _headers_scope("websocket", "127.0.0.1:8765", "http://evil.example")))
    assert foreign == [{"type": "websocket.close", "code": 1008}]
    assert asyncio.run(_call(gate, _headers_scope("websocket", "127.0.0.1:8765", "http://127.0.0.1:9999")))
    assert passed == []
    asyncio.run(_call(gate, _headers_scope("websocket", "localhost:8765", "http://localhost:8765")))
    asyncio.run(_call(gate, _headers_scope("http", "[::1]:8765")))
    assert passed == ["websocket", "http"]


def test_the_token_redirect_never_leaves_the_site():
    """`//evil.example/?token=...` redirects to a path of this server, not to evil.example."""

    async def inner(scope, receive, send):
        pass

    gate = server.TokenGate(inner, "s3cret", cookie="tok")
    scope = {"type": "http", "path": "//evil.example/", "query_string": b"token=s3cret", "headers": []}
    location = dict(asyncio.run(_call(gate, scope))[0]["headers"])[b"location"]
    assert location == b"/evil.example/"


def _handshake(port: int, host: str, origin: str) -> str:
    """The status line the server answers a websocket upgrade with."""
    request = (
        f"GET /jupyter/api/kernels/invented/channels?session_id=x HTTP/1.1\r\nHost: {host}\r\n"
        f"Origin: {origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096).decode("latin-1").split("\r\n")[0]


def test_the_served_dashboard_refuses_a_foreign_websocket_and_a_rebound_host(tmp_path):
    """The real server on loopback, no token: a websocket from evil.example is refused, the page's own is not."""
    from tests.e2e.serving import regionsim

    folder = copy_library(tmp_path / "scenarios")
    command = regionsim("dashboard", "--port", "0", "--scenarios", str(folder), "--cache", str(tmp_path / "c"))
    with dashboard(command) as served:
        port = int(served.address.rsplit(":", 1)[1].split("/")[0])
        assert " 403 " in _handshake(port, f"127.0.0.1:{port}", "http://evil.example") + " "
        assert " 101 " in _handshake(port, f"127.0.0.1:{port}", f"http://127.0.0.1:{port}") + " "
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "evil.example"})
        try:
            status = urllib.request.urlopen(request, timeout=30).status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 403
