"""`cunjing run`: the main job. The Telegram bot when TELEGRAM_BOT_TOKEN is set, else the console chat."""

from __future__ import annotations

import argparse
import importlib

from bot.commands.chat import chat
from bot.settings import load_settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the bot (TELEGRAM_BOT_TOKEN set) or the console chat")
    p.set_defaults(run=run, service=True)  # logs at app.log_level


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.telegram.token:
        telegram = importlib.import_module("bot.channels.telegram.app")
        return int(telegram.run(settings))
    print("TELEGRAM_BOT_TOKEN is not set: starting the console chat. / 未设置 TELEGRAM_BOT_TOKEN，进入命令行对话。")
    return chat(settings)
