"""Test doubles for end-to-end tests. ``FakeBotApi``: a fake Telegram Bot API server on 127.0.0.1."""

from .bot_api import (
    DEFAULT_TOKEN,
    SEND_METHODS,
    ApiCall,
    ApiError,
    FakeBotApi,
    FakeChat,
    FakeUser,
    FileEntry,
    Interaction,
    SentMessage,
)

__all__ = [
    "DEFAULT_TOKEN",
    "SEND_METHODS",
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "FileEntry",
    "Interaction",
    "SentMessage",
]
