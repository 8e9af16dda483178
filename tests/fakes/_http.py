"""A minimal HTTP/1.1 server on plain asyncio, just enough for the Bot API clients (aiohttp, httpx).

Why not a framework: the fake Bot API must be able to hold a request open (long polling), notice
when the client gives up on it, and drop a connection without answering (network-failure
injection). All of that is a few lines here and awkward elsewhere.

Supports keep-alive, Content-Length and chunked request bodies, and parses
``application/x-www-form-urlencoded``, ``application/json`` and ``multipart/form-data``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass
class UploadedFile:
    """One file part of a multipart/form-data body."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class HttpRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""
    path: str = ""
    query: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.target)
        self.path = unquote(parts.path)
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))

    def form(self) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        """Query string + body parameters (values as sent: strings, or JSON values) and files."""
        params: dict[str, Any] = dict(self.query)
        files: dict[str, UploadedFile] = {}
        ctype = self.headers.get("content-type", "")
        mime = ctype.split(";", 1)[0].strip().lower()
        if not self.body:
            return params, files
        if mime == "application/json":
            data = json.loads(self.body.decode("utf-8"))
            if isinstance(data, dict):
                params.update(data)
        elif mime == "multipart/form-data":
            boundary = _header_param(ctype, "boundary")
            if not boundary:
                raise ValueError("multipart body without boundary")
            for part in _parse_multipart(self.body, boundary.encode("latin-1")):
                if part.filename is None:
                    params[part.field] = part.data.decode("utf-8")
                else:
                    files[part.field] = part
        else:  # form-urlencoded is what httpx sends for `data=`
            params.update(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))
        return params, files


@dataclass
class HttpResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    #: Drop the connection instead of answering (simulated network failure).
    abort: bool = False

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> HttpResponse:
        return cls(status=status, body=json.dumps(payload, ensure_ascii=False).encode("utf-8"))


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


def _header_param(value: str, name: str) -> str | None:
    for piece in value.split(";")[1:]:
        key, _, val = piece.strip().partition("=")
        if key.strip().lower() == name:
            val = val.strip()
            if len(val) >= 2 and val[0] == val[-1] == '"':
                val = val[1:-1]
            return val
    return None


def _parse_multipart(body: bytes, boundary: bytes) -> list[UploadedFile]:
    delimiter = b"--" + boundary
    parts: list[UploadedFile] = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        chunk = chunk.removeprefix(b"\r\n")
        chunk = chunk.removesuffix(b"\r\n")
        raw_headers, _, data = chunk.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in raw_headers.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            headers[key.strip().lower()] = val.strip()
        disposition = headers.get("content-disposition", "")
        name = _header_param(disposition, "name") or ""
        filename = _header_param(disposition, "filename")
        parts.append(UploadedFile(name, filename, headers.get("content-type"), data))
    return parts


class _Connection:
    """Buffers bytes from one client; parses requests out of the buffer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.buf = bytearray()
        self.eof = False

    async def fill(self) -> bool:
        """Read more bytes into the buffer; False on EOF."""
        if self.eof:
            return False
        data = await self.reader.read(65536)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    async def _read_until(self, marker: bytes, limit: int) -> bytes | None:
        while True:
            idx = self.buf.find(marker)
            if idx >= 0:
                out = bytes(self.buf[:idx])
                del self.buf[: idx + len(marker)]
                return out
            if len(self.buf) > limit:
                raise ValueError("header too large")
            if not await self.fill():
                return None

    async def _read_exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not await self.fill():
                raise ConnectionError("client closed mid-body")
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    async def read_request(self) -> HttpRequest | None:
        head = await self._read_until(b"\r\n\r\n", MAX_HEADER_BYTES)
        if head is None:
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            key, _, val = line.partition(":")
            headers[key.strip().lower()] = val.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size_line = await self._read_until(b"\r\n", MAX_HEADER_BYTES)
                if size_line is None:
                    raise ConnectionError("client closed mid-body")
                size = int(size_line.split(b";", 1)[0], 16)
                if size == 0:
                    await self._read_until(b"\r\n", MAX_HEADER_BYTES)  # (no trailers expected)
                    break
                body += await self._read_exactly(size)
                await self._read_exactly(2)
                if len(body) > MAX_BODY_BYTES:
                    raise ValueError("body too large")
            data = bytes(body)
        else:
            length = int(headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                raise ValueError("body too large")
            data = await self._read_exactly(length)
        return HttpRequest(method=method.upper(), target=target, headers=headers, body=data)

    async def write_response(self, resp: HttpResponse) -> None:
        try:
            reason = HTTPStatus(resp.status).phrase
        except ValueError:
            reason = "Unknown"
        head = (
            f"HTTP/1.1 {resp.status} {reason}\r\n"
            f"Content-Type: {resp.content_type}\r\n"
            f"Content-Length: {len(resp.body)}\r\n"
            "Connection: keep-alive\r\n\r\n"
        ).encode("latin-1")
        self.writer.write(head + resp.body)
        await self.writer.drain()


class HttpServer:
    """Serves ``handler`` on 127.0.0.1; `stop()` closes every connection and awaits every task."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        if self._server is None:
            if self._port:  # a given port: known while stopped
                return self._port
            raise RuntimeError("server not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._on_connect, self._host, self._port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._server.wait_closed()
        self._server = None

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        conn = _Connection(reader, writer)
        try:
            while True:
                request = await conn.read_request()
                if request is None:
                    break
                response = await self._run_handler(conn, request)
                if response is None or response.abort:
                    writer.transport.abort()
                    break
                await conn.write_response(response)
        except (ConnectionError, ValueError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # server stopping
        finally:
            self._writers.discard(writer)
            writer.close()
            self._tasks.discard(task)

    async def _run_handler(self, conn: _Connection, request: HttpRequest) -> HttpResponse | None:
        """Run the handler while watching the socket; None if the client hung up meanwhile."""
        handler_task = asyncio.ensure_future(self._handler(request))
        watch: asyncio.Future[bool] | None = asyncio.ensure_future(conn.fill())
        try:
            while True:
                waiting = {handler_task} if watch is None else {handler_task, watch}
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if handler_task in done:
                    return handler_task.result()
                assert watch is not None
                if not watch.result():  # EOF: the client gave up on this request
                    handler_task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await handler_task
                    return None
                watch = None  # client sent more (pipelining); keep it buffered, stop watching
        finally:
            if watch is not None and not watch.done():
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
            if not handler_task.done():
                handler_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await handler_task
