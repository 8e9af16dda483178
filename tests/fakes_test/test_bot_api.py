"""The fake Bot API, driven by the real python-telegram-bot Application over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dtm
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from tests.fakes import FakeBotApi

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz0123"
Ctx = ContextTypes.DEFAULT_TYPE


@pytest.fixture(autouse=True)
def _timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # RetryAfter.retry_after as timedelta, without PTB's deprecation warning.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def build_app(api: FakeBotApi, seen: list[Update], errors: list[BaseException]) -> Any:
    app = (Application.builder().token(TOKEN).base_url(api.base_url)
           .base_file_url(api.base_file_url).build())

    async def start(update: Update, context: Ctx) -> None:
        seen.append(update)
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("报警", callback_data="report"),
                                          InlineKeyboardButton("咨询", callback_data="ask")]])
        await update.effective_message.reply_text(f"欢迎 {' '.join(context.args or [])}",
                                                  reply_markup=keyboard, do_quote=True)

    async def echo(update: Update, context: Ctx) -> None:
        seen.append(update)
        message = update.effective_message
        assert message is not None
        await message.reply_text(message.text or message.caption or "收到")

    async def other(update: Update, context: Ctx) -> None:
        seen.append(update)
        assert update.effective_message is not None
        await update.effective_message.reply_text("收到")

    async def button(update: Update, context: Ctx) -> None:
        seen.append(update)
        query = update.callback_query
        assert query is not None
        await query.answer("好的")
        await query.edit_message_text(f"已选择 {query.data}")

    async def on_error(update: object, context: Ctx) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.ALL, other))
    app.add_error_handler(on_error)
    return app


@pytest.fixture
async def bot_app(fake_api: FakeBotApi) -> Any:
    seen: list[Update] = []
    errors: list[BaseException] = []
    app = build_app(fake_api, seen, errors)
    async with fake_api.running(app, poll_timeout=1):
        yield app, seen, errors


async def test_start_gets_a_reply_with_buttons(fake_api: FakeBotApi, bot_app: Any) -> None:
    _, seen, errors = bot_app
    alice = fake_api.user(1001, "Alice")
    sent = await alice.send("/start QS001")

    assert alice.replies == ["欢迎 QS001"]
    assert sent.texts == ["欢迎 QS001"]
    reply = alice.last
    assert reply is not None
    assert reply.method == "sendMessage" and reply.chat_id == 1001
    assert reply.reply_to_message_id == sent.message_id
    assert reply.buttons == [["报警", "咨询"]]
    assert reply.button_data == {"报警": "report", "咨询": "ask"}
    assert reply.raw["from"]["is_bot"] is True
    message = seen[0].effective_message
    assert message is not None and message.entities[0].type == "bot_command"
    assert message.from_user is not None and message.from_user.language_code == "zh"
    assert fake_api.counts["getMe"] == 1 and fake_api.total_sends == 1
    assert errors == []


async def test_button_press_arrives_as_callback_query(fake_api: FakeBotApi, bot_app: Any) -> None:
    _, seen, errors = bot_app
    alice = fake_api.user(1001, "Alice")
    await alice.send("/start")
    pressed = await alice.press("报警")

    query = seen[-1].callback_query
    assert query is not None and query.data == "report"
    assert query.message is not None and query.message.message_id == alice.messages[0].message_id
    assert pressed.answer is not None and pressed.answer["text"] == "好的"
    assert alice.replies == ["已选择 report"]  # edited in place, the keyboard removed
    assert alice.last is not None and alice.last.buttons == [] and len(alice.last.edits) == 1
    assert pressed.edited == [alice.last]
    with pytest.raises(AssertionError, match="no button"):
        await alice.press("不存在")
    assert errors == []


async def test_retry_after_reaches_the_bot_as_RetryAfter(fake_api: FakeBotApi, bot_app: Any) -> None:
    _, _, errors = bot_app
    alice = fake_api.user(1001, "Alice")
    fake_api.fail_next("sendMessage", retry_after=7)
    await alice.send("你好")

    assert len(errors) == 1 and isinstance(errors[0], RetryAfter)
    assert errors[0].retry_after == dtm.timedelta(seconds=7)
    assert fake_api.count_429 == 1 and alice.replies == []
    await alice.send("再来")  # the fault was used up
    assert alice.replies == ["再来"]


async def test_duplicate_update_id_is_delivered_as_sent(fake_api: FakeBotApi, bot_app: Any) -> None:
    _, seen, _ = bot_app
    alice = fake_api.user(1001, "Alice")
    first = await alice.send("一")
    await fake_api.inject_update(first.update)  # Telegram redelivers the very same update
    assert [u.update_id for u in seen] == [first.update_id, first.update_id]
    assert alice.replies == ["一", "一"]

    raw = {"update_id": 5, "message": {"message_id": 900, "date": 0, "text": "二",
                                       "chat": alice.chat_dict, "from": alice.user_dict}}
    fake_api.queue_update(raw)
    fake_api.queue_update(raw)
    await fake_api.settle()
    assert [u.update_id for u in seen[2:]] == [5, 5]


async def test_enforced_limits_answer_429(fake_api: FakeBotApi) -> None:
    async with FakeBotApi(enforce_limits=True) as api:
        users = [api.user(2000 + i, f"U{i}") for i in range(35)]
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            # one chat: the second message within a second is refused
            await bot.send_message(users[0].id, "1")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(users[0].id, "2")
            assert caught.value.retry_after == dtm.timedelta(seconds=1)
            # 34 more chats at once: 30 per second overall, so 5 are refused
            results = await asyncio.gather(*(bot.send_message(u.id, "hi") for u in users[1:]),
                                           return_exceptions=True)
        refused = [r for r in results if isinstance(r, RetryAfter)]
        assert len(refused) == 5
        assert api.count_429 == 6 and api.total_sends == 30
        assert [reason for _, _, reason in api.limit_hits] == ["per-chat"] + ["global"] * 5


async def test_server_errors_blocking_and_network_failures(fake_api: FakeBotApi) -> None:
    alice = fake_api.user(1001, "Alice")
    async with Bot(TOKEN, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url) as bot:
        fake_api.fail_next("sendMessage", status=502)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(alice.id, "x")
        fake_api.fail_next("sendMessage", status=500)
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(alice.id, "x")
        fake_api.fail_next("sendMessage", disconnect=True)
        with pytest.raises(NetworkError):
            await bot.send_message(alice.id, "x")
        fake_api.fail_next("sendMessage", delay=1.0)
        with pytest.raises(TimedOut):
            await bot.send_message(alice.id, "x", read_timeout=0.2)
        fake_api.block(alice.id)
        with pytest.raises(Forbidden, match="blocked by the user"):
            await bot.send_message(alice.id, "x")
        fake_api.unblock(alice.id)
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(4242, "x")
        with pytest.raises(BadRequest, match="(?i)can.t parse entities"):
            await bot.send_message(alice.id, "a < b", parse_mode="HTML")
        ok = await bot.send_message(alice.id, "<b>粗体</b> &amp; 正常", parse_mode="HTML")
        assert ok.text == "粗体 & 正常"
    assert alice.replies == ["粗体 & 正常"]
    assert fake_api.status_counts[502] == 1 and fake_api.status_counts[403] == 1


async def test_files_commands_webhook_and_chat(fake_api: FakeBotApi) -> None:
    alice = fake_api.user(1001, "Alice", username="alice")
    async with Bot(TOKEN, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url) as bot:
        uploaded = await bot.send_photo(alice.id, photo=b"\xff\xd8picture-bytes", caption="证据")
        again = await bot.send_photo(alice.id, photo=uploaded.photo[-1].file_id)
        file = await bot.get_file(uploaded.photo[-1].file_id)
        assert bytes(await file.download_as_bytearray()) == b"\xff\xd8picture-bytes"
        document = await bot.send_document(alice.id, document=b"a,b\n1,2\n", filename="名单.csv")
        assert document.document is not None and document.document.file_name == "名单.csv"

        await bot.set_my_commands([("start", "开始"), ("help", "帮助")], language_code="zh")
        await bot.set_my_commands([("start", "Start")])
        assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start", "help"]
        assert fake_api.commands_for("zh") == ["start", "help"] and fake_api.commands_for() == ["start"]

        assert await bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
        info = await bot.get_webhook_info()
        assert info.url == "https://example.invalid/hook" and fake_api.webhook["secret_token"] == "s3cret"
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""

        chat = await bot.get_chat(alice.id)
        assert chat.type == "private" and chat.username == "alice"
        copied = await bot.copy_message(alice.id, from_chat_id=alice.id, message_id=uploaded.message_id)
        forwarded = await bot.forward_message(alice.id, from_chat_id=alice.id, message_id=again.message_id)
        assert forwarded.forward_origin is not None and forwarded.forward_origin.type == "user"
        assert await bot.close() and await bot.log_out()
    assert fake_api.closed and fake_api.logged_out
    assert [m.method for m in alice.messages] == [
        "sendPhoto", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"]
    assert alice.messages[0].upload is not None and alice.messages[3].message_id == copied.message_id
    assert alice.replies == ["证据", "[photo]", "[document]", "证据", "[photo]"]


async def test_user_message_kinds(fake_api: FakeBotApi) -> None:
    seen: list[Update] = []
    app = fake_api.app_builder().build()

    async def record(update: Update, context: Ctx) -> None:
        seen.append(update)
        message = update.effective_message
        if message is not None and message.photo:
            data = await (await message.photo[-1].get_file()).download_as_bytearray()
            await message.reply_text(f"照片 {len(data)} 字节")

    app.add_handler(MessageHandler(filters.ALL, record))
    async with fake_api.running(app):
        alice = fake_api.user(1001, "Alice")
        bob = fake_api.user(1002, "Bob")
        channel = fake_api.group(-1001234, "反诈中心", type="channel", username="fzzx")
        group = fake_api.group(-5005, "家族群", type="group")
        first = await alice.send("看看 https://scam.example.top/pay 和 @someone_x")
        await alice.reply_to(first, "就是这个")
        await alice.forward("恭喜中奖", origin=bob)
        await alice.forward("恭喜中奖", origin="神秘客服")
        await alice.forward("官方提醒", origin=channel)
        await alice.forward("群消息", origin=group)
        await alice.send_sticker()
        photo = await alice.send_photo(caption="截图", data=b"12345")
        await alice.send_voice(duration=4)
        await alice.send_location(30.0, 120.0)
        await alice.send_contact("+8613800000000")
        await alice.edit(first, "改过了")
        await alice.send("@cunjing_test_bot 群里说话", chat=group)  # a mention reaches a bot in privacy mode

    messages = [u.message for u in seen]
    assert [e.type for e in seen[0].message.entities] == ["url", "mention"]  # type: ignore[union-attr]
    assert messages[1] is not None and messages[1].reply_to_message is not None
    assert messages[1].reply_to_message.text == first.message["text"]  # type: ignore[index]
    origins = [m.forward_origin.type for m in messages[2:6]]  # type: ignore[union-attr]
    assert origins == ["user", "hidden_user", "channel", "chat"]
    assert messages[6].sticker is not None and messages[7].photo and messages[7].caption == "截图"
    assert photo.texts == ["照片 5 字节"]
    assert messages[8].voice.duration == dtm.timedelta(seconds=4)  # type: ignore[union-attr]
    assert messages[9].location.latitude == 30.0  # type: ignore[union-attr]
    assert messages[10].contact.user_id == 1001  # type: ignore[union-attr]
    assert seen[11].edited_message is not None and seen[11].edited_message.text == "改过了"
    assert seen[12].effective_chat is not None and seen[12].effective_chat.type == "group"


async def test_groups_membership_and_privacy_mode(fake_api: FakeBotApi) -> None:
    seen: list[Update] = []
    app = fake_api.app_builder().build()

    async def record(update: Update, context: Ctx) -> None:
        seen.append(update)

    app.add_handler(TypeHandler(Update, record))
    async with fake_api.running(app):
        alice = fake_api.user(1001, "Alice")
        group = fake_api.group(-5006, "村民群", type="group", member=False)
        await alice.send("机器人还没进群", chat=group)
        with pytest.raises(Forbidden, match="not a member"):
            await app.bot.send_message(group.id, "我不在群里")
        added = await group.add_bot(alice)
        assert added.update["my_chat_member"]["new_chat_member"]["status"] == "member"
        await alice.send("大家好", chat=group)  # privacy mode: not for the bot
        await alice.send("/help", chat=group)
        sent = await app.bot.send_message(group.id, "机器人的消息")
        await alice.reply_to(sent.message_id, "回复机器人", chat=group)
        await alice.send("@cunjing_test_bot 你好", chat=group)
        await group.add_bot(alice, admin=True)  # an administrator reads everything
        await alice.send("管理员机器人看得见", chat=group)
        await group.remove_bot(alice)
        await alice.block_bot()
        await alice.unblock_bot()

    members = [u.my_chat_member for u in seen if u.my_chat_member is not None]
    assert [(m.chat.type, m.old_chat_member.status, m.new_chat_member.status) for m in members] == [
        ("group", "left", "member"),
        ("group", "member", "administrator"),
        ("group", "administrator", "left"),
        ("private", "member", "kicked"),
        ("private", "kicked", "member"),
    ]
    texts = [u.message.text for u in seen if u.message is not None]
    assert texts == ["/help", "回复机器人", "@cunjing_test_bot 你好", "管理员机器人看得见"]
    assert [m["text"] for m in group.unseen] == ["机器人还没进群", "大家好"]


async def test_long_polling_offsets_and_allowed_updates(fake_api: FakeBotApi) -> None:
    alice = fake_api.user(1001, "Alice")
    async with Bot(TOKEN, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url) as bot:
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await bot.get_updates(timeout=0.3) == ()
        assert loop.time() - started >= 0.25  # held for the timeout

        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        assert not poll.done()
        sent = fake_api.queue_update({"message": {"message_id": 1, "date": 0, "text": "hi",
                                                  "chat": alice.chat_dict, "from": alice.user_dict}})
        updates = await asyncio.wait_for(poll, 1)  # answered as soon as the update is queued
        assert [u.update_id for u in updates] == [sent["update_id"]]

        # unconfirmed updates come again; a higher offset confirms them
        assert len(await bot.get_updates(timeout=0)) == 1
        assert await bot.get_updates(offset=sent["update_id"] + 1, timeout=0) == ()

        fake_api.queue_update({"callback_query": {"id": "1", "from": alice.user_dict,
                                                  "chat_instance": "1", "data": "x"}})
        fake_api.queue_update({"message": {"message_id": 2, "date": 0, "text": "ok",
                                           "chat": alice.chat_dict, "from": alice.user_dict}})
        updates = await bot.get_updates(timeout=0, allowed_updates=["message"])
        assert [u.message.text for u in updates if u.message] == ["ok"] and len(updates) == 1
        assert len(fake_api.dropped_updates) == 1

        await bot.set_webhook("https://example.invalid/hook")
        with pytest.raises(Exception, match="webhook is active"):
            await bot.get_updates(timeout=0)


async def test_shutdown_is_clean(fake_api: FakeBotApi) -> None:
    app = fake_api.app_builder().build()
    app.add_handler(MessageHandler(filters.ALL, lambda u, c: asyncio.sleep(0)))
    async with fake_api.running(app):
        await fake_api.user(1001, "Alice").send("hello")
    await fake_api.stop()
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert others == []


async def test_rate_limiter_retries_after_enforced_429() -> None:
    async with FakeBotApi(enforce_limits=True) as api:
        app = api.app_builder().rate_limiter(AIORateLimiter(max_retries=2)).build()

        async def two_replies(update: Update, context: Ctx) -> None:
            assert update.effective_message is not None
            await update.effective_message.reply_text("第一条")
            await update.effective_message.reply_text("第二条")  # same chat within 1 s: 429, retried

        app.add_handler(MessageHandler(filters.TEXT, two_replies))
        async with api.running(app):
            alice = api.user(1001, "Alice")
            done = await alice.send("hi")
        assert done.texts == ["第一条", "第二条"]
        assert api.count_429 == 1 and api.counts["sendMessage"] == 3 and api.total_sends == 2
        first, second = alice.messages
        assert second.sent_at - first.sent_at >= 1.0


async def test_settle_waits_for_slow_concurrent_and_non_blocking_handlers(fake_api: FakeBotApi) -> None:
    app = fake_api.app_builder().concurrent_updates(True).build()

    async def slow(update: Update, context: Ctx) -> None:
        assert update.effective_message is not None
        await asyncio.sleep(0.15)
        await update.effective_message.reply_text("慢")

    app.add_handler(CommandHandler("slow", slow, block=False))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, slow))
    async with fake_api.running(app):
        alice = fake_api.user(1001, "Alice")
        assert (await alice.send("/slow")).texts == ["慢"]
        assert (await alice.send("普通")).texts == ["慢"]


async def test_settle_explains_what_it_waits_for(fake_api: FakeBotApi) -> None:
    alice = fake_api.user(1001, "Alice")
    await alice.send("nobody polls", settle=False)
    with pytest.raises(AssertionError, match="never fetched"):
        await fake_api.settle(timeout=0.1)


async def test_menus_by_scope_and_descriptions_by_language(fake_api: FakeBotApi) -> None:
    from telegram import BotCommandScopeAllGroupChats, BotCommandScopeChat

    async with Bot(TOKEN, base_url=fake_api.base_url, base_file_url=fake_api.base_file_url) as bot:
        await bot.set_my_commands([("queue", "待办")], scope=BotCommandScopeChat(1001))
        await bot.set_my_commands([("queue", "desk")], scope=BotCommandScopeChat(-1000000000001))
        await bot.set_my_commands([("check", "Check")], scope=BotCommandScopeAllGroupChats(), language_code="en")
        assert fake_api.commands_for(scope="chat:1001") == ["queue"]
        assert fake_api.commands_for(scope="chat:-1000000000001") == ["queue"]
        assert fake_api.commands_for("en", "all_group_chats") == ["check"] and fake_api.commands_for() == []
        assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(1001))] == ["queue"]

        await bot.set_my_description("村警助手", language_code="zh")
        await bot.set_my_description("Village police assistant")
        await bot.set_my_short_description("防诈骗", language_code="zh")
        assert fake_api.description_for("zh") == "村警助手" and fake_api.description_for() == "Village police assistant"
        assert fake_api.description_for("zh", short=True) == "防诈骗" and fake_api.description_for("en") == ""
        assert (await bot.get_my_description(language_code="zh")).description == "村警助手"
        assert (await bot.get_my_short_description(language_code="zh")).short_description == "防诈骗"
        with pytest.raises(BadRequest):
            await bot.set_my_short_description("x" * 121)
        await bot.set_my_description("", language_code="zh")  # cleared
        assert fake_api.description_for("zh") == ""
