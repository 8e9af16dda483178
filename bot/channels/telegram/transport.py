"""python-telegram-bot's HTTP requests made with aiohttp instead of httpx.

Why: every message costs the bot one `getUpdates` share and one `sendMessage`. Through httpx that
is about 1.6 ms of CPU per call, and 3–4 ms with 16 calls in flight (httpcore walks its whole pool,
with system calls, on every request); through aiohttp about 0.5 ms (benchmarks/bot_load.py and the
README). `BaseRequest` is python-telegram-bot's documented place for another HTTP library.

Errors map as `HTTPXRequest` maps them: a timeout is `TimedOut`, any other client error is
`NetworkError`; the Bot API's own answers (429, 5xx, 403) are status codes PTB turns into errors.
One more distinction: an error after the request went out (a read time-out, a connection dropped
while waiting) is `Unanswered`, because Telegram may have carried the call out; one before it
(no connection) is not. The senders decide per kind of message what an unknown outcome means.
"""

from __future__ import annotations

import logging

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

# HTTPXRequest's defaults, so that settings and PTB's per-call timeouts mean the same here, but for
# READ: Telegram under load answers a send in more than 5 s now and then, and a send that times out
# is one whose outcome is unknown (a duplicate, or a message given up). 30 s outlasts its slow
# answers; `telegram.send_timeout` sets it. getUpdates adds its long-poll time to this (PTB does).
CONNECT, READ, WRITE, POOL, MEDIA_WRITE = 5.0, 30.0, 5.0, 1.0, 20.0


class Unanswered(NetworkError):
    """The request went out and no answer came: Telegram may have carried it out."""


class UnansweredTimeout(Unanswered, TimedOut):
    """The answer did not come within the read time-out."""
JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """Bot API calls over one aiohttp session with a pool of `pool_size` keep-alive connections."""

    def __init__(self, pool_size: int = 256, *, read_timeout: float | None = READ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        # made here, inside the running loop, and again after a shutdown (PTB restarts requests)
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = bool(request_data and request_data.contains_files)
        timeout = client_timeout(
            given(read_timeout, self._read_timeout),
            given(write_timeout, MEDIA_WRITE if files else WRITE),
            given(connect_timeout, CONNECT),
            given(pool_timeout, POOL),
        )
        endpoint = url.rsplit("/", 1)[-1]  # the URL holds the token: only the method's name is ever shown
        try:
            data, headers = body(request_data)
            async with self._session.request(method, url, data=data, headers=headers, timeout=timeout) as response:
                status, content = response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:  # no connection: the request never went out
            raise TimedOut(f"aiohttp.{exc.__class__.__name__} calling {endpoint}") from exc
        except TimeoutError as exc:  # aiohttp's timeouts (asyncio.TimeoutError is TimeoutError on 3.11)
            raise UnansweredTimeout(f"aiohttp.{exc.__class__.__name__} calling {endpoint}") from exc
        except aiohttp.ClientError as exc:
            # the class name says what happened when the message is empty (a dropped connection)
            detail = str(exc).replace(url, endpoint)
            sent = not isinstance(exc, aiohttp.ClientConnectorError)  # a dropped connection: perhaps carried out
            error = Unanswered if sent else NetworkError
            raise error(f"aiohttp.{exc.__class__.__name__} calling {endpoint}: {detail}") from exc
        log.debug("%s %s: HTTP %s", method, endpoint, status)
        return status, content


def given(value: ODVInput[float], default: float | None) -> float | None:
    """A per-call timeout PTB passed, or ours when it passed none."""
    return default if isinstance(value, DefaultValue) else value


def client_timeout(
    read: float | None, write: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """PTB's four timeouts in aiohttp's terms: waiting for a pooled connection and opening one is
    `connect`, each read is `sock_read`; aiohttp has no write timeout, so the whole call is bounded
    by the sum of all four (no bound when any is None, as PTB means by None)."""
    parts = (read, write, connect, pool)
    total = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
    wait = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(total=total, connect=wait, sock_connect=connect, sock_read=read)


def body(request_data: RequestData | None) -> tuple[bytes | aiohttp.FormData | None, dict[str, str] | None]:
    """The request's body and headers: JSON for plain calls (cheapest to build), multipart form
    data when files go up."""
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return request_data.json_payload, JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None
