"""A real, deliberately misbehaving HTTP/1.1 server on loopback for tests (raw sockets, threads).

Usage::

    with FaultServer() as srv:                       # 127.0.0.1, random port
        srv.route("/feed", Response(200, "<rss/>", content_type="application/rss+xml"))
        srv.route("/slow", Behave.trickle(b"x" * 100, bytes_per_sec=5))
        srv.route("/flaky", srv.sequence(Response(500), Response(200, "ok")))
        srv.route("/echo", lambda req: Response(200, req.header("user-agent") or ""))
        srv.robots("User-agent: *\\nDisallow: /private/\\n")
        srv.serve_dir("/site/", Path("tests/data/site"))   # files with ETag/Last-Modified + 304
        ... srv.url("/feed") ...
        assert srv.requests_for("/flaky")[0].header("user-agent")

A dead host is `closed_port()`; `FaultServer(port=that)` brings it back.

Unrouted paths answer 404 (so robots.txt is "allow all" unless set). Every request is logged in
`.requests` before it is handled (hung ones too). Behaviours that stream record a `Transfer` in
`.transfers` (bytes sent, whether the client hung up first). Leaving the `with` block releases
hanging handlers and joins all threads.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import itertools
import mimetypes
import select
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import brotli

__all__ = ["FaultServer", "Request", "Response", "Behave", "Behaviour", "Transfer", "closed_port"]


def closed_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago: nobody listens there (until a FaultServer(port=...))."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # keys lowercased
    started: float  # time.monotonic() when the request head was complete
    client: tuple[str, int]

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    encoding: str | None = None  # "gzip" | "deflate" | "br": compress and set Content-Encoding
    close: bool = False  # send Connection: close and hang up afterwards

    def payload(self) -> bytes:
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        if self.encoding == "gzip":
            return gzip.compress(body)
        if self.encoding == "deflate":  # RFC 9110 §8.4.1.2: "deflate" is the zlib format
            return zlib.compress(body)
        if self.encoding == "br":
            return brotli.compress(body)
        return body


@dataclass
class Transfer:
    path: str
    declared: int | None
    sent: int = 0
    client_closed: bool = False  # the client hung up before we were done
    done: bool = False


class _Conn:
    """What a behaviour may do with the connection."""

    def __init__(self, server: FaultServer, sock: socket.socket) -> None:
        self.server, self.sock = server, sock

    @property
    def stopping(self) -> bool:
        return self.server._stop.is_set()

    def send(self, data: bytes) -> bool:
        """Send; False if the client has gone away."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def wait(self, seconds: float) -> bool:
        """Sleep, but wake on shutdown; False if the server is stopping."""
        return not self.server._stop.wait(seconds)

    def hold(self) -> None:
        """Keep the connection open until the client hangs up or the server stops."""
        while not self.stopping:
            try:
                ready, _, _ = select.select([self.sock], [], [], 0.1)
                if ready and not self.sock.recv(4096):
                    return
            except OSError:
                return


def _head(status: int, headers: dict[str, str]) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Whatever"
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Behaviour:
    """Something other than a well-formed response; `run` owns the connection, then it closes."""

    def __init__(self, run: Callable[[_Conn, Request], None], name: str) -> None:
        self.run, self.name = run, name

    def __repr__(self) -> str:
        return f"Behaviour({self.name})"


class Behave:
    """Factories for misbehaviours."""

    @staticmethod
    def hang() -> Behaviour:
        """Accept the request and never answer."""
        return Behaviour(lambda conn, req: conn.hold(), "hang")

    @staticmethod
    def close() -> Behaviour:
        """Hang up without a word."""
        return Behaviour(lambda conn, req: None, "close")

    @staticmethod
    def raw(data: bytes) -> Behaviour:
        """Send these exact bytes, then hang up."""
        return Behaviour(lambda conn, req: conn.send(data) and None, "raw")

    @staticmethod
    def trickle(body: bytes, bytes_per_sec: float, *, content_type: str = "text/html") -> Behaviour:
        """A correct response whose body arrives `bytes_per_sec` bytes a second."""

        def run(conn: _Conn, req: Request) -> None:
            head = {"Content-Type": content_type, "Content-Length": str(len(body))}
            transfer = conn.server._transfer(req.path, len(body))
            if not conn.send(_head(200, head)):
                return
            for i in range(len(body)):
                if not conn.send(body[i : i + 1]):
                    transfer.client_closed = True
                    return
                transfer.sent += 1
                if not conn.wait(1.0 / bytes_per_sec):
                    return
            transfer.done = True

        return Behaviour(run, f"trickle({bytes_per_sec}/s)")

    @staticmethod
    def truncated(body: bytes, declared: int, *, then: str = "close") -> Behaviour:
        """Declare Content-Length `declared`, send only `body`, then "close" or "hang"."""

        def run(conn: _Conn, req: Request) -> None:
            conn.send(_head(200, {"Content-Type": "text/html", "Content-Length": str(declared)}))
            conn.send(body)
            if then == "hang":
                conn.hold()

        return Behaviour(run, "truncated")

    @staticmethod
    def huge(
        n_bytes: int,
        *,
        chunk: int = 64 * 1024,
        content_length: bool = True,
        content_type: str = "text/html",
    ) -> Behaviour:
        """Send an `n_bytes` body in chunks (with or without Content-Length), recording progress."""

        def run(conn: _Conn, req: Request) -> None:
            head = {"Content-Type": content_type, "Connection": "close"}
            if content_length:
                head["Content-Length"] = str(n_bytes)
            transfer = conn.server._transfer(req.path, n_bytes if content_length else None)
            if not conn.send(_head(200, head)):
                transfer.client_closed = True
                return
            block = b"a" * chunk
            while transfer.sent < n_bytes and not conn.stopping:
                piece = block[: n_bytes - transfer.sent]
                if not conn.send(piece):
                    transfer.client_closed = True
                    return
                transfer.sent += len(piece)
            transfer.done = transfer.sent >= n_bytes

        return Behaviour(run, f"huge({n_bytes})")


Handler = Response | Behaviour | Callable[[Request], "Response | Behaviour"]


class FaultServer:
    """A threaded HTTP/1.1 server on `host` (default 127.0.0.1) and a random port (or `port`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.requests: list[Request] = []
        self.transfers: list[Transfer] = []
        self._routes: dict[str, Handler] = {}
        self._dirs: list[tuple[str, Path]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._socks: set[socket.socket] = set()
        self._listener = socket.create_server((host, port), backlog=128)
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]

    # -- configuration -------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def route(self, path: str, handler: Handler) -> FaultServer:
        """Answer `path` (exact, query ignored) with a Response, a Behaviour or a callable."""
        self._routes[path] = handler
        return self

    def robots(self, text: str, status: int = 200) -> FaultServer:
        return self.route("/robots.txt", Response(status, text, content_type="text/plain"))

    def serve_dir(self, prefix: str, directory: str | Path) -> FaultServer:
        """Serve files under `directory` at `prefix`, with ETag/Last-Modified and 304s."""
        self._dirs.append((prefix.rstrip("/") + "/", Path(directory).resolve()))
        return self

    @staticmethod
    def sequence(*items: Handler) -> Callable[[Request], Response | Behaviour]:
        """A handler answering with items in order, then repeating the last one."""
        it = itertools.chain(items, itertools.repeat(items[-1]))
        lock = threading.Lock()

        def handler(req: Request) -> Response | Behaviour:
            with lock:
                item = next(it)
            return item(req) if callable(item) and not isinstance(item, Behaviour) else item

        return handler

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> FaultServer:
        self._spawn(self._accept_loop, "faultserver-accept")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in list(self._threads):
            t.join(timeout=2.0)

    def _spawn(self, target: Callable[..., None], name: str, *args: Any) -> None:
        t = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(t)
        t.start()

    def _transfer(self, path: str, declared: int | None) -> Transfer:
        t = Transfer(path, declared)
        with self._lock:
            self.transfers.append(t)
        return t

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                sock, addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._socks.add(sock)
            self._spawn(self._serve, f"faultserver-{addr[1]}", sock, addr)

    # -- one connection ------------------------------------------------------------------

    def _read_head(self, sock: socket.socket, buf: bytearray) -> bytes | None:
        while b"\r\n\r\n" not in buf:
            if self._stop.is_set():
                return None
            ready, _, _ = select.select([sock], [], [], 0.1)
            if not ready:
                continue
            data = sock.recv(65536)
            if not data:
                return None
            buf += data
        head, _, rest = bytes(buf).partition(b"\r\n\r\n")
        buf[:] = rest
        return head

    def _serve(self, sock: socket.socket, addr: tuple[str, int]) -> None:
        buf = bytearray()
        try:
            while not self._stop.is_set():
                head = self._read_head(sock, buf)
                if head is None:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = (lines[0].split(" ") + ["", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                path, _, query = target.partition("?")
                req = Request(method, path, query, headers, time.monotonic(), addr)
                with self._lock:
                    self.requests.append(req)
                answer = self._dispatch(req)
                if isinstance(answer, Behaviour):
                    answer.run(_Conn(self, sock), req)
                    return
                payload = answer.payload()
                out = {"Content-Length": str(len(payload))}
                if answer.content_type:
                    out["Content-Type"] = answer.content_type
                if answer.encoding:
                    out["Content-Encoding"] = answer.encoding
                if answer.close or headers.get("connection", "").lower() == "close":
                    out["Connection"] = "close"
                out.update(answer.headers)
                sock.sendall(_head(answer.status, out) + (payload if method != "HEAD" else b""))
                if "Connection" in out and out["Connection"].lower() == "close":
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._socks.discard(sock)
            sock.close()

    def _dispatch(self, req: Request) -> Response | Behaviour:
        handler = self._routes.get(req.path)
        if handler is None:
            for prefix, root in self._dirs:
                if req.path.startswith(prefix):
                    return self._file(req, root, req.path[len(prefix) :])
            return Response(404, "not found", content_type="text/plain")
        if isinstance(handler, Response | Behaviour):
            return handler
        return handler(req)

    @staticmethod
    def _file(req: Request, root: Path, rel: str) -> Response:
        target = (root / rel).resolve()
        if not target.is_file() or not target.is_relative_to(root):
            return Response(404, "not found", content_type="text/plain")
        data = target.read_bytes()
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(target.stat().st_mtime, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": modified}
        if req.header("if-none-match") == etag:
            return Response(304, headers=validators)
        ctype = _guess_type(target.name)
        return Response(200, data, headers=validators, content_type=ctype)


def _guess_type(name: str) -> str:
    for suffix, ctype in _FEED_TYPES:
        if name.endswith(suffix):
            return ctype
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


_FEED_TYPES: Iterable[tuple[str, str]] = (
    (".rss", "application/rss+xml"),
    (".atom", "application/atom+xml"),
    (".xml", "application/xml"),
    (".html", "text/html"),
)
