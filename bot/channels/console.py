"""The console channel: a villager's conversation in the terminal, through the same core."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.core import inputs
from bot.core.types import Button, Incoming, Outcome, Reply, text_message


class ConsoleChat:
    """Reads lines, hands them to the core, prints the replies; a number presses a button."""

    def __init__(
        self,
        handle: Callable[[Incoming], Outcome],
        user_id: int = 1,
        out: TextIO = sys.stdout,
        prompt: str = "> ",
        encoding: str | None = None,
    ) -> None:
        self.handle = handle
        self.user_id = user_id
        self.out = out
        self.prompt = prompt
        self.encoding = encoding or getattr(sys.stdin, "encoding", None) or "utf-8"  # the terminal's
        self.buttons: list[Button] = []

    def run(self, lines: Iterable[str | bytes], banner: str = "", unreadable: str = "") -> None:
        """Every line, until the input ends. Give stdin as bytes (`sys.stdin.buffer`): a line that is
        no text in the terminal's encoding (a paste cut mid-character, invalid UTF-8) then gets the
        `unreadable` reply and the chat goes on, where reading it as text would stop the chat."""
        if banner:
            self.write(banner)
        self.write(self.prompt, end="")
        for line in lines:
            text = readable(line, self.encoding)
            if text is None:
                self.write(unreadable)
            else:
                self.step(text.removeprefix("\ufeff").rstrip("\r\n"))
            self.write(self.prompt, end="")
        self.write("")

    def step(self, line: str) -> Outcome:
        """One typed line: a button number, a command or a question."""
        msg = self.incoming(line.strip())
        outcome = self.handle(msg)
        self.render(outcome)
        return outcome

    def incoming(self, line: str) -> Incoming:
        number = inputs.number(line)  # not `str.isdigit`: `int` refuses the ① it accepts
        if number is not None and 1 <= number <= len(self.buttons):
            button = self.buttons[number - 1]
            return Incoming(self.user_id, self.user_id, button=button.data, kind="button")
        return text_message(self.user_id, self.user_id, line)

    def render(self, outcome: Outcome) -> None:
        self.buttons = []
        for reply in outcome.replies:
            self.render_reply(reply)
        for note in outcome.notes:
            self.write(f"  ({note})")

    def render_reply(self, reply: Reply) -> None:
        if reply.photo:
            self.write(f"[photo: {reply.photo}]")
        if reply.document:
            self.write(f"[file: {reply.document}]")
        self.write(reply.text)
        for row in reply.buttons:
            for button in row:
                if button.url:  # a link, not a button to press here
                    self.write(f"  {button.label}: {button.url}")
                    continue
                self.buttons.append(button)
                self.write(f"  [{len(self.buttons)}] {button.label}")

    def write(self, text: str, end: str = "\n") -> None:
        self.out.write(text + end)
        self.out.flush()


def readable(line: str | bytes, encoding: str) -> str | None:
    """The line as text, or None when it is none: bytes not in the encoding, or a text read with
    surrogateescape (the C locale's stdin) that holds such bytes, which no database would store."""
    try:
        if isinstance(line, bytes):
            return line.decode(encoding)
        line.encode("utf-8")
        return line
    except UnicodeError:
        return None
