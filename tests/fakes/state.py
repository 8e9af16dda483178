"""The fake Bot API's state: its settings, what it records, and the chats it knows (users and groups)."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict, deque
from typing import Any

from telegram.ext import Application

from ._http import HttpRequest, HttpResponse, HttpServer
from .chats import FakeChat
from .records import ApiCall, FileEntry, SentMessage, _Fault, _Pending
from .users import FakeUser
from .values import DEFAULT_ALLOWED_UPDATES, DEFAULT_TOKEN, _bad, _chat_key

AnyApp = Application[Any, Any, Any, Any, Any, Any]


class ApiState:
    """Everything the fake Bot API keeps; the mixins of ``FakeBotApi`` act on it."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "cunjing_test_bot",
        bot_first_name: str = "村警",
        enforce_limits: bool = False,
        per_chat_per_second: int = 1,
        global_per_second: int = 30,
        group_per_minute: int = 20,
        strict_chats: bool = True,
        settle_timeout: float = 5.0,
        privacy_mode: bool = True,
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.enforce_limits = enforce_limits
        self.per_chat_per_second = per_chat_per_second
        self.global_per_second = global_per_second
        self.group_per_minute = group_per_minute
        #: Sending to a chat no FakeUser/FakeChat was made for answers "400 chat not found".
        self.strict_chats = strict_chats
        self.settle_timeout = settle_timeout
        #: BotFather's group privacy: in groups the bot gets only commands, replies to it, mentions.
        self.privacy_mode = privacy_mode
        self.bot_user["can_read_all_group_messages"] = not privacy_mode

        self._server = HttpServer(self._handle, port=port)  # a given port: stopped and started again on it
        self._started = False
        # records
        self.calls: list[ApiCall] = []
        self.messages: list[SentMessage] = []
        self.counts: Counter[str] = Counter()  # requests received, per method
        self.ok_counts: Counter[str] = Counter()  # successful answers, per method
        self.status_counts: Counter[int] = Counter()  # answers per HTTP status
        self.total_sends = 0  # messages successfully sent
        self.count_429 = 0
        self.limit_hits: list[tuple[str, int | str | None, str]] = []  # (method, chat, reason)
        self.webhook: dict[str, Any] = {"url": ""}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.bot_settings: dict[str, Any] = {}  # other set*/delete* settings: params by method
        self.descriptions: dict[tuple[str, str], str] = {}  # (description|short_description, language)
        self.files: dict[str, FileEntry] = {}
        self.chat_actions: list[tuple[int | str | None, str]] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.dropped_updates: list[dict[str, Any]] = []
        self.closed = False
        self.logged_out = False
        # state
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self._store: dict[tuple[int, int], dict[str, Any]] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._inline_messages: dict[str, SentMessage] = {}
        self._pending: list[_Pending] = []
        self._seq = itertools.count(1)
        self._next_update_id = 100001
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(7_000_000_001)
        self._file_seq = itertools.count(1)
        self._open_queries: dict[str, dict[str, Any]] = {}
        self._allowed: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._wake = asyncio.Event()
        self._poll_generation = 0
        self._faults: list[_Fault] = []
        self._blocked: set[int | str] = set()
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int | str, deque[float]] = defaultdict(deque)
        self._inflight: Counter[str] = Counter()
        self._last_activity = 0.0
        self._apps: list[AnyApp] = []

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one HTTP request of the bot (``FakeBotApi`` does)."""
        raise NotImplementedError

    # -- people and chats ----------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        language_code: str | None = "zh",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """The FakeUser with this id (created on first use; its private chat becomes known)."""
        if user_id not in self.users:
            self.users[user_id] = FakeUser(self, user_id, first_name, language_code, last_name, username)
        return self.users[user_id]

    def group(
        self,
        chat_id: int,
        title: str = "村民群",
        *,
        type: str = "supergroup",
        username: str | None = None,
        member: bool = True,
        admin: bool = False,
    ) -> FakeChat:
        """A group ("group"/"supergroup") or channel ("channel") chat; ids should be negative.
        The bot is in it unless ``member=False`` (see ``FakeChat.add_bot``)."""
        if chat_id not in self.chats:
            self.chats[chat_id] = FakeChat(self, chat_id, title, type, username, member, admin)
        return self.chats[chat_id]

    def _chat(self, chat_ref: Any) -> dict[str, Any]:
        key = _chat_key(chat_ref)
        if key is None:
            raise _bad("chat_id is empty")
        if isinstance(key, str):
            for chat in self.chats.values():
                if chat.username and f"@{chat.username}" == key:
                    return chat.chat_dict
            raise _bad("chat not found")
        if key in self.users:
            return self.users[key].chat_dict
        if key in self.chats:
            return self.chats[key].chat_dict
        if self.strict_chats:
            raise _bad("chat not found")
        if key > 0:
            return self.user(key, f"User{key}").chat_dict
        return self.group(key, f"Chat{key}").chat_dict

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]
