"""Updates of the fake Bot API: queued by tests, fetched by the bot (getUpdates, or a webhook), and
``settle``, which waits until the bot has taken and processed all of them."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections.abc import AsyncIterator, Collection
from typing import Any

from .chats import Person
from .records import ApiCall, Interaction, _Pending
from .state import AnyApp, ApiState
from .values import DEFAULT_ALLOWED_UPDATES, ApiError, _bad, _bool, _float, _int, _jsonable, _message_key


class Updates(ApiState):
    """The update queue and its delivery; ``running`` runs a PTB Application polling this fake."""

    def attach(self, app: AnyApp) -> None:
        """Let :meth:`settle` also wait for ``app`` to finish processing (``running`` does this)."""
        if app not in self._apps:
            self._apps.append(app)

    @contextlib.asynccontextmanager
    async def running(
        self,
        app: AnyApp,
        *,
        poll_timeout: int = 10,
        allowed_updates: list[str] | None = None,
        drop_pending_updates: bool | None = None,
    ) -> AsyncIterator[AnyApp]:
        """Run ``app`` polling this fake the way ``run_polling`` does (post_init, polling, start;
        then stop, post_stop, shutdown, post_shutdown), but inside the test's event loop."""
        self.attach(app)
        await app.initialize()
        try:
            if app.post_init:
                await app.post_init(app)
            assert app.updater is not None, "build the Application with an Updater"
            await app.updater.start_polling(
                poll_interval=0,
                timeout=poll_timeout,
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
            )
            await app.start()
            try:
                yield app
            finally:
                if app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
        finally:
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)
            self._apps.remove(app)

    async def _member_update(self, chat: dict[str, Any], by: Person, old: str, new: str, settle: bool) -> Interaction:
        """A ``my_chat_member`` update: the bot's own status in ``chat`` changed from ``old`` to ``new``."""
        update = {
            "my_chat_member": {
                "chat": chat,
                "from": by.user_dict,
                "date": int(time.time()),
                "old_chat_member": _member(self.bot_user, old),
                "new_chat_member": _member(self.bot_user, new),
            }
        }
        return await self._interact(update, settle=settle)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return [p.update for p in self._pending]

    def queue_update(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Queue an update as given (an ``update_id`` is assigned if missing; the same id may be
        queued twice and is then delivered twice). Returns the queued dict."""
        update = copy.deepcopy(raw)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        for key in ("message", "edited_message", "channel_post"):
            message = update.get(key)
            if isinstance(message, dict) and "chat" in message and "message_id" in message:
                self._store.setdefault(_message_key(message), copy.deepcopy(message))
        self._pending.append(_Pending(update, next(self._seq)))
        self._notify()
        return update

    def next_update(self, skip: Collection[int] = ()) -> dict[str, Any] | None:
        """The oldest pending update, for a webhook delivery (see ``webhook.WebhookProxy``), except
        the `skip` update ids (being delivered on another connection)."""
        pending = next((p for p in self._pending if p.update_id not in skip), None)
        if pending is None:
            return None
        pending.delivered = True
        return _jsonable(pending.update)

    def confirm_update(self, update_id: int) -> None:
        """The bot took the update (its webhook answered 200): it is never offered again."""
        self._pending = [p for p in self._pending if p.update_id != update_id]
        self._last_activity = asyncio.get_running_loop().time()

    async def changed(self, timeout: float) -> None:
        """Wait until an update is queued or `timeout` seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def inject_update(self, raw: dict[str, Any], *, settle: bool = True) -> Interaction:
        """Queue a raw update (see :meth:`queue_update`) and, by default, wait until processed."""
        return await self._interact(raw, settle=settle, raw=True)

    async def _interact(
        self, update: dict[str, Any], *, settle: bool, raw: bool = False, chat_id: int | None = None
    ) -> Interaction:
        first_call = len(self.calls)
        queued = self.queue_update(update)
        if chat_id is None:
            body = next((v for k, v in queued.items() if k != "update_id"), None)
            if isinstance(body, dict):
                chat = body.get("chat") or (body.get("message") or {}).get("chat")
                chat_id = int(chat["id"]) if chat else None
        interaction = Interaction(queued, chat_id=chat_id)
        if settle:
            await self.settle()
        interaction.calls = self.calls[first_call:]
        return interaction

    async def settle(self, timeout: float | None = None, quiet: float | None = None) -> None:
        """Wait until every queued update has been fetched and confirmed (getUpdates with a higher
        offset), every attached Application has finished processing it, no request is in flight
        and none has arrived for ``quiet`` seconds (0.02 s with an attached app, else 0.1 s)."""
        loop = asyncio.get_running_loop()
        limit = self.settle_timeout if timeout is None else timeout
        quiet = (0.02 if self._apps else 0.1) if quiet is None else quiet
        deadline = loop.time() + limit
        while not self._is_settled(loop.time(), quiet):
            if loop.time() > deadline:
                raise AssertionError(f"settle() timed out after {limit} s: {self._settle_report()}")
            await asyncio.sleep(0.005)

    def _is_settled(self, now: float, quiet: float) -> bool:
        if self._pending or self._inflight:
            return False
        for app in self._apps:
            if getattr(app.update_queue, "_unfinished_tasks", 0):
                return False
            tasks = getattr(app, "_Application__create_task_tasks", ())
            if any(not t.done() for t in tasks):
                return False
        return now - self._last_activity >= quiet

    def _settle_report(self) -> str:
        parts = []
        undelivered = [p.update_id for p in self._pending if not p.delivered]
        unconfirmed = [p.update_id for p in self._pending if p.delivered]
        if undelivered:
            parts.append(f"updates {undelivered} never fetched (is the Application polling?)")
        if unconfirmed:
            parts.append(f"updates {unconfirmed} fetched but not confirmed by a later getUpdates")
        for app in self._apps:
            if getattr(app.update_queue, "_unfinished_tasks", 0):
                parts.append("the Application is still processing an update")
        if self._inflight:
            parts.append(f"requests in flight: {dict(self._inflight)}")
        return "; ".join(parts) or "the bot kept making requests"

    def _notify(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember of ``status`` with the fields Telegram sends for it."""
    member: dict[str, Any] = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "administrator":
        member.update(
            {
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": False,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": False,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
            }
        )
    return member


async def _get_updates(api: Updates, call: ApiCall) -> Any:
    p = call.params
    if api.webhook.get("url"):
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    api._poll_generation += 1
    generation = api._poll_generation
    api._notify()  # an older long poll still waiting gets a Conflict, like Telegram does
    offset = _int(p.get("offset"))
    limit = min(max(_int(p.get("limit"), 100) or 100, 1), 100)
    timeout = _float(p.get("timeout"))
    if "allowed_updates" in p:
        wanted = p["allowed_updates"] or []
        api._allowed = frozenset(wanted) if wanted else DEFAULT_ALLOWED_UPDATES
    if offset is not None:
        if offset < 0:
            drop = api._pending[:offset] if -offset < len(api._pending) else []
            api._pending = [x for x in api._pending if x not in drop]
        else:
            api._pending = [x for x in api._pending if not (x.delivered and x.update_id < offset)]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != api._poll_generation:
            raise ApiError(
                409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
            )
        batch: list[dict[str, Any]] = []
        for pending in list(api._pending):
            if pending.type not in api._allowed:
                api._pending.remove(pending)
                api.dropped_updates.append(pending.update)
                continue
            if len(batch) < limit:
                pending.delivered = True
                batch.append(_jsonable(pending.update))
        remaining = deadline - loop.time()
        if batch or remaining <= 0:
            return batch
        wake = api._wake
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), remaining)


async def _delete_webhook(api: Updates, call: ApiCall) -> Any:
    api.webhook = {"url": ""}
    if _bool(call.params.get("drop_pending_updates")):
        api.dropped_updates.extend(p.update for p in api._pending)
        api._pending.clear()
    return True


async def _set_webhook(api: Updates, call: ApiCall) -> Any:
    url = str(call.params.get("url", ""))
    if url and not url.startswith("https://"):
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
    api.webhook = {k: v for k, v in call.params.items() if k != "certificate"}
    api.webhook["url"] = url
    if "certificate" in call.files:
        api.webhook["has_custom_certificate"] = True
    if _bool(call.params.get("drop_pending_updates")):
        api._pending.clear()
    return True


async def _get_webhook_info(api: Updates, call: ApiCall) -> Any:
    info: dict[str, Any] = {
        "url": api.webhook.get("url", ""),
        "has_custom_certificate": bool(api.webhook.get("has_custom_certificate")),
        "pending_update_count": len(api._pending),
    }
    if api.webhook.get("max_connections"):
        info["max_connections"] = int(api.webhook["max_connections"])
    if api.webhook.get("allowed_updates"):
        info["allowed_updates"] = api.webhook["allowed_updates"]
    if api.webhook.get("ip_address"):
        info["ip_address"] = api.webhook["ip_address"]
    return info


#: The Bot API methods about updates, by name.
METHODS: dict[str, Any] = {
    "getUpdates": _get_updates,
    "deleteWebhook": _delete_webhook,
    "setWebhook": _set_webhook,
    "getWebhookInfo": _get_webhook_info,
}
