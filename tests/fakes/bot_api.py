"""A fake Telegram Bot API server for end-to-end tests of the real python-telegram-bot Application.

The fake listens on 127.0.0.1 (a free port) inside the test's event loop and speaks the Bot API the
way PTB uses it: ``POST {base_url}{token}/{method}`` with form-encoded parameters (objects such as
``reply_markup`` JSON-encoded inside form fields) or multipart bodies for uploads, answering
``{"ok": true, "result": ...}`` with complete Telegram objects.

Typical use::

    async with FakeBotApi() as api:
        app = api.app_builder().build()
        app.add_handler(CommandHandler("start", start))
        async with api.running(app):
            alice = api.user(1001, "Alice")
            await alice.send("/start QS001")
            assert alice.replies == ["欢迎！"]
            await alice.press("报警")
            assert alice.last.buttons == [["是", "否"]]

``alice.send`` queues an update and returns once the bot has fetched it, processed it and gone
quiet (see :meth:`FakeBotApi.settle`). Everything the bot does is recorded: ``api.calls`` (every
request), ``api.messages`` (every message the bot sent, as :class:`SentMessage`), ``api.counts``.
Failures are injected with :meth:`FakeBotApi.fail_next`, :meth:`FakeBotApi.block` and
``FakeBotApi(enforce_limits=True)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from telegram.ext import ApplicationBuilder

from ._http import HttpRequest, HttpResponse
from .chats import FakeChat as FakeChat
from .editing import METHODS as EDITING
from .files import METHODS as FILES
from .messages import Messages
from .profile import METHODS as PROFILE
from .profile import Profile
from .records import ApiCall
from .records import FileEntry as FileEntry
from .records import Interaction as Interaction
from .records import SentMessage as SentMessage
from .sending import METHODS as SENDING
from .state import AnyApp as AnyApp
from .updates import METHODS as UPDATES
from .updates import Updates
from .users import FakeUser as FakeUser
from .values import _JSON_FIELDS, SEND_METHODS, ApiError, _bad, _error_answer
from .values import ALL_UPDATE_TYPES as ALL_UPDATE_TYPES
from .values import DEFAULT_ALLOWED_UPDATES as DEFAULT_ALLOWED_UPDATES
from .values import DEFAULT_TOKEN as DEFAULT_TOKEN
from .values import FAKE_JPEG as FAKE_JPEG
from .values import FAKE_OGG as FAKE_OGG


class FakeBotApi(Messages, Updates, Profile):
    """Fake Telegram Bot API on 127.0.0.1. Use as ``async with FakeBotApi() as api:``.

    Its parts: state.py (settings, records, chats), updates.py (the update queue, getUpdates, settle),
    faults.py (injected faults, blocked chats, rate limits), files.py, messages.py (the message store),
    sending.py / editing.py / profile.py (the API methods); here the server and the dispatch of a request."""

    async def start(self) -> FakeBotApi:
        await self._server.start()
        self._started = True
        self._wake = asyncio.Event()
        return self

    async def stop(self) -> None:
        self._notify()
        await self._server.stop()
        self._started = False

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def app_builder(self) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        """An ApplicationBuilder with token, base_url and base_file_url pointing here."""
        return ApplicationBuilder().token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/file/bot"):
            return self._serve_file(request.path[len("/file/bot") :])
        if not request.path.startswith("/bot"):
            return _error_answer(ApiError(404, "Not Found"))
        token, _, method_name = request.path[len("/bot") :].partition("/")
        method = _CANONICAL.get(method_name.lower(), method_name)
        try:
            params, files = request.form()
        except (ValueError, UnicodeDecodeError) as exc:
            return _error_answer(_bad(f"can't parse request: {exc}"))
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        loop = asyncio.get_running_loop()
        call = ApiCall(method, params, files, loop.time())
        self.calls.append(call)
        self.counts[method] += 1
        tracked = method != "getUpdates"
        if tracked:
            self._inflight[method] += 1
            self._last_activity = loop.time()
        try:
            response = await self._answer(call, token)
        except asyncio.CancelledError:
            call.description = "client disconnected before the answer"
            raise
        finally:
            if tracked:
                self._inflight[method] -= 1
                if not self._inflight[method]:
                    del self._inflight[method]
                self._last_activity = loop.time()
        if response.abort:
            call.status = 0
            call.description = "connection dropped (injected)"
            return response
        call.status = response.status
        self.status_counts[response.status] += 1
        if response.status == 429:
            self.count_429 += 1
        if call.ok:
            self.ok_counts[method] += 1
        return response

    async def _answer(self, call: ApiCall, token: str) -> HttpResponse:
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            fault = self._take_fault(call)
            if fault is not None and fault.carried_out:
                # carried out now, in a task the client's hanging up cannot cancel; answered late
                done = asyncio.ensure_future(self._answer(call, token))
                await asyncio.sleep(fault.delay or 0)
                return await asyncio.shield(done)
            if fault is not None:
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                if fault.disconnect:
                    return HttpResponse(abort=True)
                if fault.status is not None:
                    raise self._fault_error(fault)
            handler = _HANDLERS.get(call.method)
            if handler is None:
                if call.method.startswith(("set", "delete")):
                    self.bot_settings[call.method] = call.params
                    result: Any = True
                else:
                    raise ApiError(404, f"Not Found: method {call.method} is not faked by FakeBotApi")
            else:
                if call.method in SEND_METHODS or call.method == "sendChatAction":
                    self._check_chat_writable(call)
                result = await handler(self, call)
        except ApiError as err:
            call.description = err.description
            return _error_answer(err)
        call.result = result
        return HttpResponse.json({"ok": True, "result": result})


_HANDLERS: dict[str, Any] = {**UPDATES, **PROFILE, **SENDING, **EDITING, **FILES}
# Telegram matches method names case-insensitively.
_CANONICAL = {name.lower(): name for name in _HANDLERS}
