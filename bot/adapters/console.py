"""The terminal chat: the embedded default, needing no tokens and no network.

It speaks the same commands as the chat platforms (/help, /topics, /source N), so trying a change
here exercises the same core the Discord and Slack adapters call.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.core.replies import Suggestion, render_text
from bot.core.service import StudyService

PROMPT = "you> "
QUIT = {"/quit", "/exit", "/q"}


class ConsoleSession:
    """One terminal conversation; remembers the last suggestions so '2' picks the second."""

    def __init__(self, service: StudyService) -> None:
        self.service = service
        self._suggestions: tuple[Suggestion, ...] = ()

    def handle(self, line: str) -> str | None:
        """The bot's reply to one console line; None means the user asked to leave."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self._suggestions):
            picked = self._suggestions[int(text) - 1]
            self._suggestions = ()
            return render_text(self.service.answer_entry(picked.entry_id, picked.question))
        command, _, arg = text.partition(" ")
        command = command.lower()
        if command in QUIT:
            return None
        if command == "/help":
            return self.service.help_text()
        if command == "/topics":
            return self.service.topics_text()
        if command == "/source":
            try:
                number = int(arg.strip().lstrip("¶"))
            except ValueError:
                return "Usage: /source N, where N is a paragraph number, e.g. /source 5"
            return render_text(self.service.paragraph(number))
        if command == "/reload":
            result = self.service.reload()
            if result.ok:
                return f"Reloaded: {result.entries} entries."
            problems = "\n".join(f"  {p}" for p in result.problems[:10])
            return (
                f"Reload failed; still serving the previous {result.entries} entries:\n{problems}"
            )
        if command.startswith("/") and len(command) > 1 and " " not in command:
            return f"Unknown command {command}. Try /help, /topics, /source N or /quit."
        reply = self.service.ask(text, platform="console")
        self._suggestions = reply.suggestions
        rendered = render_text(reply)
        if reply.suggestions:
            rendered += "\n(Type a number to pick one.)"
        return rendered


def run_console(
    service: StudyService, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    interactive = stdin.isatty()
    session = ConsoleSession(service)
    source = service.default_source()
    stdout.write(
        f'Study bot: ask about "{source.title}" by {source.author} ({source.outlet}, '
        f"{source.year}).\nType /help for commands, /quit to leave.\n"
    )
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            stdout.write("\n")
            return 0
        if not line:
            return 0
        if not line.strip():
            continue
        reply = session.handle(line)
        if reply is None:
            stdout.write("Bye!\n")
            return 0
        stdout.write(f"bot> {reply}\n\n" if interactive else f"{reply}\n\n")
        stdout.flush()
