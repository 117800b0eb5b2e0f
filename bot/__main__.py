"""The command line: `python -m bot ask|console|run|discord|slack|config|healthcheck|kb|...`."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.config import (
    DEFAULT_SHUTDOWN_TIMEOUT,
    CommonSettings,
    ConfigError,
    LogSettings,
    MetricsSettings,
    env_float,
    env_str,
    load_dotenv_file,
    match_settings,
    use_config_file,
)
from bot.core.knowledge import KnowledgeError
from bot.core.replies import render_text
from bot.core.service import StudyService
from bot.logs import setup_logging

log = logging.getLogger("bot")

REPO_ROOT = Path(__file__).resolve().parents[1]
# The long-running commands, which log at LOG_LEVEL (default INFO); the others only warnings.
SERVICE_COMMANDS = frozenset({"run", "discord", "slack"})
CONFIG_HELP = "YAML config file for everything but secrets (default: $BOT_CONFIG)"
DEFAULT_TEXTS = REPO_ROOT.parent / "shared" / "sources"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="A study-channel Q&A bot that answers from a curated, cited knowledge pack.",
    )
    parser.add_argument(
        "--knowledge",
        metavar="FOLDER",
        help="knowledge folder (default: $BOT_KNOWLEDGE_DIR or the shipped knowledge/)",
    )
    parser.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    # Also accepted after the command (`python -m bot run --config bot.yaml`); SUPPRESS keeps a
    # value given before the command.
    after = argparse.ArgumentParser(add_help=False)
    after.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=CONFIG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser(
        "ask", parents=[after], help="answer one question (or one per line from stdin with -)"
    )
    ask.add_argument("question", help='the question, or "-" to read one per line from stdin')
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")

    sub.add_parser(
        "console", parents=[after], help="chat in the terminal (the default; no tokens needed)"
    )
    sub.add_parser("discord", parents=[after], help="run the Discord bot (needs DISCORD_TOKEN)")
    sub.add_parser("slack", parents=[after], help="run the Slack bot (needs SLACK_BOT_TOKEN)")
    sub.add_parser(
        "run", parents=[after], help="run Discord and/or Slack if configured, else the console"
    )

    config = sub.add_parser(
        "config",
        parents=[after],
        help="print the effective configuration (secrets masked) and where each value came from",
    )
    config.add_argument("--json", action="store_true", help="print one JSON object")

    health = sub.add_parser(
        "healthcheck",
        parents=[after],
        help="exit 0 if the running bot's /healthz says healthy (for container health checks)",
    )
    health.add_argument(
        "--url", help="health URL (default: http://127.0.0.1:$METRICS_PORT/healthz)"
    )
    health.add_argument("--timeout", type=float, default=3.0, help="seconds (default: 3)")

    kb = sub.add_parser("kb", parents=[after], help="knowledge tools")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    check = kb_sub.add_parser("check", help="validate a knowledge folder")
    check.add_argument("folder", nargs="?", help="folder to check (default: the knowledge folder)")
    check.add_argument(
        "--texts",
        metavar="DIR",
        help="folder with the commentaries' numbered text (<source-id>.md) to check anchors "
        f"against (default: {DEFAULT_TEXTS} when it exists)",
    )
    gaps = kb_sub.add_parser(
        "gaps",
        help="questions the knowledge did not answer well, from the bot's database "
        "(DATABASE_URL, else BOT_DATA_DIR)",
    )
    gaps.add_argument(
        "--yaml", action="store_true", help="write draft Q&A entries to paste into the knowledge"
    )
    gaps.add_argument(
        "--days", type=_positive_int, metavar="N", help="only the last N days (default: all kept)"
    )
    gaps.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="at most N groups (default: 10 listed; every group with --yaml)",
    )

    ev = sub.add_parser(
        "eval", parents=[after], help="accuracy and off-topic figures on the evaluation sets"
    )
    ev.add_argument("sets", nargs="*", help="evaluation YAML files (default: tests/data/eval.yaml)")
    ev.add_argument("--holdout", action="store_true", help="also report tests/data/holdout.yaml")
    ev.add_argument(
        "--independent",
        action="store_true",
        help="also report the sets written without the pack (tests/data/independent-*.yaml)",
    )
    ev.add_argument("--quiet", action="store_true", help="figures only, no list of misses")

    bench = sub.add_parser("bench", parents=[after], help="print speed and memory figures")
    bench.add_argument(
        "--scales",
        default="1000,10000,100000",
        help="synthetic pack sizes to time, comma-separated (default: %(default)s)",
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _knowledge_dir(args: argparse.Namespace) -> Path:
    if args.knowledge:
        return Path(args.knowledge)
    return CommonSettings.from_env().knowledge_dir


def _service(args: argparse.Namespace) -> StudyService:
    return StudyService(_knowledge_dir(args), match_settings())


def _emit(service: StudyService, question: str, as_json: bool, out: TextIO) -> None:
    reply = service.ask(question, platform="cli")
    if as_json:
        out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
    else:
        out.write(render_text(reply) + "\n")


def cmd_ask(args: argparse.Namespace) -> int:
    service = _service(args)
    if args.question == "-":
        for line in sys.stdin:
            _emit(service, line.rstrip("\r\n"), args.json, sys.stdout)
            sys.stdout.flush()
        return 0
    _emit(service, args.question, args.json, sys.stdout)
    return 0


def cmd_kb_check(args: argparse.Namespace) -> int:
    from bot.core.checks import run_checks

    folder = Path(args.folder) if args.folder else _knowledge_dir(args)
    texts = Path(args.texts) if args.texts else DEFAULT_TEXTS
    if args.texts and not texts.is_dir():
        print(f"error: --texts {texts} is not a folder", file=sys.stderr)
        return 2
    report = run_checks(folder, texts)
    for problem in report.problems:
        print(problem)
    if report.kb is not None:
        kb = report.kb
        cited = {p for e in kb.entries for p in e.paragraphs}
        print(
            f"{folder}: {len(kb.entries)} entries, {len(kb.sources)} source(s), "
            f"{len(kb.synonyms)} synonym groups, {len(kb.not_covered)} not-covered questions, "
            f"{len(cited)} paragraphs cited"
        )
        if report.texts_checked:
            print("anchors checked against: " + ", ".join(report.texts_checked))
    errors = len(report.errors)
    print("OK" if not errors else f"{errors} error(s)")
    return 0 if not errors else 1


def _source_id(args: argparse.Namespace) -> str | None:
    """The pack's source id for drafted entries when there is exactly one; a pack that does not
    load leaves it TODO rather than stopping the export."""
    from bot.core.knowledge import load_knowledge

    try:
        sources = load_knowledge(_knowledge_dir(args)).sources
    except (KnowledgeError, ConfigError, OSError):
        return None
    return next(iter(sources)) if len(sources) == 1 else None


async def _gaps_output(args: argparse.Namespace) -> str:
    from datetime import timedelta

    from bot.core.gaps import gaps_report, gaps_text, gaps_yaml
    from bot.core.store import Store

    store = await Store.open()
    try:
        since = store.now() - timedelta(days=args.days) if args.days else None
        groups = await gaps_report(store, since=since)
    finally:
        await store.close()
    if args.yaml:
        return gaps_yaml(groups, source=_source_id(args), limit=args.limit)
    return gaps_text(groups, args.limit or 10) + "\n"


def cmd_kb_gaps(args: argparse.Namespace) -> int:
    import asyncio

    from sqlalchemy.exc import SQLAlchemyError

    try:
        output = asyncio.run(_gaps_output(args))
    except (SQLAlchemyError, OSError, ValueError) as exc:
        # Driver errors name the host and database, never the password.
        print(f"error: cannot read the bot's database: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(output)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation import (
        DEFAULT_SETS,
        HOLDOUT_SET,
        INDEPENDENT_SETS,
        EvalSetError,
        evaluate,
        format_report,
    )

    service = _service(args)
    sets = tuple(Path(s) for s in args.sets) or DEFAULT_SETS
    runs = [("evaluation set: " + ", ".join(str(s) for s in sets), sets)]
    if args.holdout:
        runs.append((f"holdout set: {HOLDOUT_SET}", (HOLDOUT_SET,)))
    if args.independent:
        runs += [(f"independent set: {path}", (path,)) for path in INDEPENDENT_SETS]
    try:
        for label, paths in runs:
            print(format_report(evaluate(service, paths), label, show_misses=not args.quiet))
    except EvalSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.benchmark import run_benchmark

    try:
        scales = tuple(int(x) for x in args.scales.split(",") if x.strip())
    except ValueError:
        print(f"error: --scales takes whole numbers, got {args.scales!r}", file=sys.stderr)
        return 2
    print(run_benchmark(_knowledge_dir(args), scales))
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from bot.adapters.console import run_console

    return run_console(_service(args))


def _export_knowledge(args: argparse.Namespace) -> None:
    """The chat adapters read their settings from the environment, --knowledge included."""
    if args.knowledge:
        os.environ["BOT_KNOWLEDGE_DIR"] = str(Path(args.knowledge).resolve())


def _discord(args: argparse.Namespace) -> int:
    from bot.adapters.discord_app import main as discord_main

    _export_knowledge(args)
    return discord_main()


def _slack(args: argparse.Namespace) -> int:
    from bot.adapters.slack_app import main as slack_main

    _export_knowledge(args)
    return slack_main()


def _serve(args: argparse.Namespace, discord_on: bool, slack_on: bool) -> int:
    """Run the chat platforms with the health endpoint up and SIGTERM/SIGINT stopping them well."""
    from bot.ops.lifecycle import STOP
    from bot.ops.server import ops_endpoint

    expected = ("knowledge",) + ("discord",) * discord_on + ("slack",) * slack_on
    with STOP.handling_signals(), contextlib.ExitStack() as stack:
        try:
            stack.enter_context(ops_endpoint(MetricsSettings.from_env(), expected))
        except OSError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if not (discord_on and slack_on):
            return _discord(args) if discord_on else _slack(args)
        results: dict[str, int] = {}
        slack = threading.Thread(
            target=lambda: results.setdefault("slack", _slack(args)), name="slack", daemon=True
        )
        slack.start()
        try:
            code = _discord(args)
        finally:
            # However Discord stopped, Slack stops too, after finishing its questions.
            STOP.request("the Discord bot stopped")
            slack.join(env_float("BOT_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT) + 5)
        if slack.is_alive():
            log.warning("the Slack bot did not stop in time")
        return code or results.get("slack", 0)


def cmd_discord(args: argparse.Namespace) -> int:
    return _serve(args, discord_on=True, slack_on=False)


def cmd_slack(args: argparse.Namespace) -> int:
    return _serve(args, discord_on=False, slack_on=True)


def cmd_run(args: argparse.Namespace) -> int:
    """Discord when its token is set, Slack when its are, both together, else the console."""
    discord_on = bool(env_str("DISCORD_TOKEN"))
    slack_on = bool(env_str("SLACK_BOT_TOKEN"))
    if discord_on or slack_on:
        return _serve(args, discord_on, slack_on)
    if not sys.stdin.isatty():
        log.warning(
            "neither DISCORD_TOKEN nor SLACK_BOT_TOKEN is set: starting the terminal chat, "
            "which ends with its input"
        )
    return cmd_console(args)


def cmd_config(args: argparse.Namespace) -> int:
    from bot.config import effective_config_dict, format_effective_config

    if args.json:
        print(json.dumps(effective_config_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_effective_config())
    return 0


def cmd_healthcheck(args: argparse.Namespace) -> int:
    url = args.url
    if not url:
        settings = MetricsSettings.from_env()
        if settings.port is None:
            print("unhealthy: METRICS_PORT is not set, so there is no /healthz", file=sys.stderr)
            return 1
        host = "127.0.0.1" if settings.host in ("", "0.0.0.0", "::") else settings.host
        url = f"http://{host}:{settings.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except (OSError, ValueError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    print(body.decode("utf-8", errors="replace"))
    return 0 if status == 200 else 1


def main(argv: Sequence[str] | None = None) -> int:
    load_dotenv_file()
    parser = _parser()
    args = parser.parse_args(argv)
    if args.knowledge and args.command is None:
        args.command = "console"
    try:
        use_config_file(args.config)
        log_settings = LogSettings.from_env()
        if args.command not in SERVICE_COMMANDS and not env_str("LOG_LEVEL"):
            # In a terminal, a log line per question would interleave with the answers.
            log_settings = dataclasses.replace(log_settings, level="WARNING")
        setup_logging(log_settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    handlers = {
        "ask": cmd_ask,
        "console": cmd_console,
        "discord": cmd_discord,
        "slack": cmd_slack,
        "run": cmd_run,
        "config": cmd_config,
        "healthcheck": cmd_healthcheck,
        "eval": cmd_eval,
        "bench": cmd_bench,
    }
    try:
        if args.command is None:
            return cmd_console(args)
        if args.command == "kb":
            if args.kb_command == "gaps":
                return cmd_kb_gaps(args)
            if args.kb_command != "check":
                parser.parse_args(["kb", "--help"])
            return cmd_kb_check(args)
        return handlers[args.command](args)
    except KnowledgeError as exc:
        print(f"error: the knowledge pack cannot be loaded:\n{exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
