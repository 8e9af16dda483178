"""Failures of the fake Bot API: injected faults (``fail_next``), blocked chats, and Telegram's rate limits
(with ``enforce_limits``: "429 Too Many Requests: retry after N" when a chat or the bot sends too fast)."""

from __future__ import annotations

import asyncio
import math

from .records import ApiCall, _Fault
from .state import ApiState
from .values import SEND_METHODS, ApiError, _chat_key


class Faults(ApiState):
    """Injected faults, blocked chats and rate limits; what they are checked against."""

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat answer 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def reset_counters(self) -> None:
        """Forget calls, counters and rate windows (not messages or state)."""
        self.calls.clear()
        self.counts.clear()
        self.ok_counts.clear()
        self.status_counts.clear()
        self.total_sends = 0
        self.count_429 = 0
        self.limit_hits.clear()
        self._global_window.clear()
        self._chat_windows.clear()

    def fail_next(
        self,
        method: str,
        count: int = 1,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        description: str | None = None,
        disconnect: bool = False,
        delay: float | None = None,
        chat_id: int | str | None = None,
        carried_out: bool = False,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" = any method but getUpdates) fail:

        - ``status=429, retry_after=N``: "Too Many Requests: retry after N" (PTB: RetryAfter);
          ``retry_after`` alone implies 429;
        - ``status=500/502/...``: a server error (PTB: NetworkError), 400 BadRequest, 403 Forbidden;
        - ``disconnect=True``: drop the connection without answering (PTB: NetworkError);
        - ``delay=S``: answer only after S seconds (beyond the client's read timeout: TimedOut);
          combined with nothing else, the call is then carried out normally (if the client still waits);
        - ``delay=S, carried_out=True``: Telegram carries the call out at once and answers after S
          seconds, whether or not the client still waits (a send that "timed out" but arrived).
        ``chat_id`` limits the fault to calls for that chat.
        """
        if retry_after is not None and status is None:
            status = 429
        if status is None and not disconnect and delay is None:
            status = 500
        self._faults.append(
            _Fault(method, count, status, retry_after, description, disconnect, delay, _chat_key(chat_id), carried_out)
        )

    def _take_fault(self, call: ApiCall) -> _Fault | None:
        for fault in self._faults:
            if fault.method not in (call.method, "*"):
                continue
            if fault.method == "*" and call.method == "getUpdates":
                continue
            if fault.chat_id is not None and fault.chat_id != call.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    @staticmethod
    def _fault_error(fault: _Fault) -> ApiError:
        status = fault.status or 500
        if status == 429:
            after = fault.retry_after or 1
            return ApiError(429, fault.description or f"Too Many Requests: retry after {after}", {"retry_after": after})
        default = {
            400: "Bad Request: injected failure",
            403: "Forbidden: bot was blocked by the user",
            409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }
        return ApiError(status, fault.description or default.get(status, f"Error {status}"))

    def _check_chat_writable(self, call: ApiCall) -> None:
        chat = self._chat(call.params.get("chat_id"))
        group = self.chats.get(chat["id"])
        if group is not None and not group.member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {group.type} chat")
        if chat["id"] in self._blocked:
            if chat["type"] == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the supergroup chat")
        if self.enforce_limits and call.method in SEND_METHODS:
            self._check_limits(call.method, chat["id"])

    def _check_limits(self, method: str, chat_id: int) -> None:
        now = asyncio.get_running_loop().time()
        window = self._chat_windows[chat_id]
        span, limit = (60.0, self.group_per_minute) if chat_id < 0 else (1.0, self.per_chat_per_second)
        while window and window[0] <= now - span:
            window.popleft()
        while self._global_window and self._global_window[0] <= now - 1.0:
            self._global_window.popleft()
        reason = None
        if len(window) >= limit:
            reason, wait = "per-chat", window[0] + span - now
        elif len(self._global_window) >= self.global_per_second:
            reason, wait = "global", self._global_window[0] + 1.0 - now
        if reason is not None:
            after = max(1, math.ceil(wait))
            self.limit_hits.append((method, chat_id, reason))
            raise ApiError(429, f"Too Many Requests: retry after {after}", {"retry_after": after})

    def _count_send(self, chat_id: int, n: int = 1) -> None:
        self.total_sends += n
        now = asyncio.get_running_loop().time()
        for _ in range(n):
            self._chat_windows[chat_id].append(now)
            self._global_window.append(now)
