"""One exception family. A `UserError` is somebody's mistake: its message (a key in
faq/messages.yaml) is the reply. Anything else that escapes is a bug for the error handler."""

from __future__ import annotations

from typing import Any


class CunjingError(Exception):
    """Base of every error Cunjing raises on purpose."""


class SettingsError(CunjingError):
    """A bad setting in config.yaml or the environment; the message names it."""


class FaqError(CunjingError):
    """The FAQ content has problems; `problems` lists them with file and line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class UserError(CunjingError):
    """A user's mistake; `key` names the message in faq/messages.yaml shown as the reply."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.key)


class BadArguments(UserError):
    key = "error.bad_arguments"


class NotAllowed(UserError):
    key = "error.not_allowed"


class NotFound(UserError):
    key = "error.not_found"


class NoVillage(UserError):
    key = "error.no_village"


class DatabaseDown(CunjingError):
    """The database failed for now (restarting, locked, disk full): the turn changed nothing and is
    tried again later; it is idempotent by update id."""
