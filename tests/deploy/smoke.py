"""The deployment smoke test's last step, shared by the wheel and the Docker image: the installed
`cunjing run` starts against the fake Bot API and answers a villager's `/start`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping

from tests.fakes import FakeBotApi

Start = Callable[[Mapping[str, str]], "subprocess.Popen[bytes]"]


def outside_checkout_env(**extra: str) -> dict[str, str]:
    """The environment of a station's shell: nothing pointing into this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CUNJING_", "PYTHON", "VIRTUAL_ENV"))}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return {**env, **extra}


async def answers_start(start: Start, text: str = "/start QS001", timeout: float = 120.0) -> list[str]:
    """Start the bot with `start(env)` pointed at a fake Telegram, send `text` from a villager and
    return the bot's replies; the bot is stopped with Ctrl-C (SIGINT) and must exit cleanly."""
    async with FakeBotApi(settle_timeout=timeout) as api:
        villager = api.user(4242, "张大爷")
        bot = start({
            "TELEGRAM_BOT_TOKEN": api.token,
            "CUNJING_TELEGRAM__BASE_URL": api.base_url,
            "CUNJING_TELEGRAM__BASE_FILE_URL": api.base_file_url,
        })
        try:
            await villager.send(text, settle=False)
            deadline = time.monotonic() + timeout
            while not api.messages_to(villager.id):
                if bot.poll() is not None:
                    raise AssertionError(f"the bot exited with {bot.returncode} before answering")
                if time.monotonic() > deadline:
                    raise AssertionError(f"no answer to {text!r} within {timeout} s")
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)  # the rest of the answer, if it comes in parts
            return [m.text or "" for m in api.messages_to(villager.id)]
        finally:
            await stop(bot)


async def stop(bot: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """Ctrl-C, then wait (the fake keeps answering meanwhile); killed only when it hangs."""
    if bot.poll() is None:
        bot.send_signal(signal.SIGINT)
    deadline = time.monotonic() + grace
    while bot.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if bot.poll() is None:
        bot.kill()
        bot.wait()
        raise AssertionError(f"the bot did not stop within {grace} s of SIGINT")
    assert bot.returncode in (0, 130), f"the bot stopped with exit status {bot.returncode}"
