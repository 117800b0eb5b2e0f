"""The terminal chat: the embedded default, needing no tokens and no network.

It speaks the same commands as the chat platforms (/help, /topics, /source N), so trying a change
here exercises the same core the Discord and Slack adapters call.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.core.replies import render_text
from bot.core.service import StudyService

PROMPT = "you> "
QUIT = {"/quit", "/exit", "/q"}


def handle_line(service: StudyService, line: str) -> str | None:
    """The bot's reply to one console line; None means the user asked to leave."""
    text = line.strip()
    command, _, arg = text.partition(" ")
    command = command.lower()
    if command in QUIT:
        return None
    if command == "/help":
        return service.help_text()
    if command == "/topics":
        return service.topics_text()
    if command == "/source":
        try:
            number = int(arg.strip().lstrip("¶"))
        except ValueError:
            return "Usage: /source N, where N is a paragraph number, e.g. /source 5"
        return render_text(service.paragraph(number))
    if command == "/reload":
        result = service.reload()
        if result.ok:
            return f"Reloaded: {result.entries} entries."
        problems = "\n".join(f"  {p}" for p in result.problems[:10])
        return f"Reload failed; still serving the previous {result.entries} entries:\n{problems}"
    if command.startswith("/") and len(command) > 1 and " " not in command:
        return f"Unknown command {command}. Try /help, /topics, /source N or /quit."
    return render_text(service.ask(text, platform="console"))


def run_console(
    service: StudyService, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    interactive = stdin.isatty()
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
        reply = handle_line(service, line)
        if reply is None:
            stdout.write("Bye!\n")
            return 0
        stdout.write(f"bot> {reply}\n\n" if interactive else f"{reply}\n\n")
        stdout.flush()
