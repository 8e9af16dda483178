"""Watch: the station's monitoring scrapes /metrics and polls /healthz on the bot's own small listener.

/healthz is healthy only while the database answers and Telegram answered getMe lately; /metrics
counts what villagers did, Telegram's flood limits, and (the bot as run) what the core's own
process did and its restarts."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from bot.channels.telegram.monitor import Monitor
from tests.fakes import FakeBotApi

from .as_run import bot_process, interrupt, say, until
from .conftest import Bot
from .test_core_process import core_pids

WATCHED = pytest.mark.bot_env(
    CUNJING_MONITOR__ENABLED="true",
    CUNJING_MONITOR__PORT="0",
    CUNJING_MONITOR__GETME_EVERY_MINUTES="0.005",  # every 0.3 s
    CUNJING_MONITOR__HEALTHY_WITHIN_MINUTES="0.02",  # 1.2 s
)


def monitor_of(bot: Bot) -> Monitor:
    monitor: Monitor = bot.app.bot_data["monitor"]
    return monitor


async def get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as answer:
        return answer.status, await answer.text()


def sample(exposition: str, name: str) -> float:
    """One sample's value in the Prometheus text (`name` with its labels, as written); 0 when absent."""
    found = re.search(rf"^{re.escape(name)} (\S+)$", exposition, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@WATCHED
async def test_metrics_count_what_villagers_did_and_telegrams_flood_limits(bot: Bot) -> None:
    port = monitor_of(bot).port
    _, before = await get(port, "/metrics")
    villager = await bot.registered(5201)
    await villager.send("身份证丢了怎么补办")
    await villager.send("/check 您的医保卡被冻结，请点击链接 http://yb-gov.cn.xyz 解冻")
    bot.api.fail_next("sendMessage", retry_after=2, chat_id=villager.id)
    await villager.send("孩子上户口要带什么")
    status, after = await get(port, "/metrics")

    assert status == 200

    def grew(name: str) -> float:
        return sample(after, name) - sample(before, name)

    assert grew('cunjing_updates_total{kind="command"}') == 2  # /start, /check
    assert grew('cunjing_updates_total{kind="text"}') == 2
    assert grew("cunjing_turn_seconds_count") == 4
    assert grew("cunjing_questions_total") == 2
    assert sum(grew(f'cunjing_scam_checks_total{{verdict="{v}"}}') for v in ("scam", "suspicious", "safe")) == 1
    assert grew("cunjing_telegram_flood_limits_total") == 1
    assert grew("cunjing_telegram_retry_after_seconds_total") == 2
    assert "cunjing_outbox_pending " in after and "cunjing_outbox_oldest_due_seconds " in after


@WATCHED
async def test_healthz_is_ready_only_while_the_database_and_telegram_answer(bot: Bot) -> None:
    monitor = monitor_of(bot)
    status, body = await get(monitor.port, "/healthz")
    assert (status, body.startswith('{"ok": true')) == (200, True), body

    # Telegram stops answering getMe: unhealthy once the last success is older than allowed (1.2 s)
    bot.api.fail_next("getMe", 8, status=502)  # 2.4 s of failures
    status, body = await get(monitor.port, "/healthz")
    for _ in range(50):
        if status == 503:
            break
        await asyncio.sleep(0.1)
        status, body = await get(monitor.port, "/healthz")
    assert status == 503 and '"reason": "telegram: getMe last succeeded' in body, body
    # and healthy again when Telegram answers
    await bot.until(lambda: time.monotonic() - (monitor.getme_at or 0) < 0.5, timeout=10, what="getMe again")
    assert (await get(monitor.port, "/healthz"))[0] == 200

    # the database cannot be opened: unhealthy, whatever Telegram says
    monitor.getme_ok()
    healthy_db = monitor.db
    monitor.db = sessionmaker(create_engine("sqlite:////nonexistent/folder/cunjing.sqlite3"))
    status, body = await get(monitor.port, "/healthz")
    assert status == 503 and '"reason": "database: OperationalError' in body, body
    monitor.db = healthy_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
async def test_the_bot_as_run_counts_its_core_process_turns_and_restarts(tmp_path: Path) -> None:
    port = free_port()
    async with FakeBotApi(settle_timeout=30) as api:
        api.user(1001, "王示例")
        settings = {
            "CUNJING_TELEGRAM__CORE_PROCESS": "true",
            "CUNJING_MONITOR__ENABLED": "true",
            "CUNJING_MONITOR__PORT": str(port),
        }
        with bot_process(api, tmp_path, **settings) as bot:
            await until(lambda: bool(api.calls_to("setMyCommands")) and bool(api.counts["getUpdates"]), 60, bot)
            villager = api.user(5301, "村民", "zh")
            await say(villager, "/start QS001", replies=2)
            await say(villager, "身份证丢了怎么补办")
            await say(villager, "这个问题谁也答不上来吧 zzqx")
            _, metrics = await get(port, "/metrics")
            assert sample(metrics, "cunjing_questions_total") == 2  # noted in the core's process
            assert sample(metrics, "cunjing_matcher_fallbacks_total") == 1
            assert sample(metrics, "cunjing_core_restarts_total") == 0

            [core] = core_pids(bot)
            os.kill(core, signal.SIGKILL)
            await until(lambda: core not in core_pids(bot), 10)
            await say(villager, "身份证丢了怎么补办")
            _, metrics = await get(port, "/metrics")
            assert sample(metrics, "cunjing_core_restarts_total") == 1
            assert sample(metrics, "cunjing_questions_total") == 3
            status, _ = await get(port, "/healthz")
            assert status == 200
            await interrupt(bot, tmp_path)
