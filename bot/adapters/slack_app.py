"""The Slack bot: `python -m bot slack` runs `main()`.

Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), HTTP mode otherwise
(SLACK_SIGNING_SECRET; POST /slack/events on SLACK_HTTP_PORT). Both serve the same listeners,
added by `register(app, service, settings, desk=...)`; the pieces live in `bot.adapters.slack`.
The study desk (channel settings, votes, stats, gaps, quizzes) runs on a thread of its own and
is closed after the last listener has finished.
"""

from __future__ import annotations

import asyncio
import logging

from bot.adapters.slack.desk import DeskThread, database_url
from bot.adapters.slack.listeners import SlackListeners, register
from bot.adapters.slack.runtime import (
    ListenerExecutor,
    StartupError,
    build_app,
    build_client,
    run_socket_mode,
    serve_http,
    verify_token,
)
from bot.adapters.slack.settings import SlackSettings
from bot.config import ConfigError, load_dotenv_file
from bot.core.knowledge import KnowledgeError
from bot.core.service import StudyService
from bot.ops.health import HEALTH, knowledge_check

__all__ = ["SlackListeners", "main", "register"]

log = logging.getLogger("bot.adapters.slack")


def main() -> int:
    """Run the Slack bot until interrupted; non-zero, with the reason logged, if it cannot start."""
    load_dotenv_file()
    try:
        settings = SlackSettings.from_env()
    except ConfigError as exc:
        log.error("Slack bot not started: %s", exc)
        return 2
    try:
        service = StudyService(settings.common.knowledge_dir, settings.common.matching)
    except KnowledgeError as exc:
        log.error("Slack bot not started: the knowledge pack cannot be loaded:\n%s", exc)
        return 1
    client = build_client(settings)
    try:
        identity = verify_token(client)
    except StartupError as exc:
        log.error("Slack bot not started: %s", exc)
        return 1
    log.info(
        "Slack bot @%s in workspace %s (%s); %d entries loaded",
        identity.get("user", "?"),
        identity.get("team", "?"),
        settings.describe(),
        len(service.kb.entries),
    )
    try:
        desk = DeskThread.open(
            service,
            url=database_url(settings.common.data_dir),
            round_seconds=settings.common.quiz_round_seconds,
            default_cooldown=settings.common.cooldown_seconds,
            gap_retention_days=settings.common.gap_retention_days,
        )
    except Exception as exc:
        # Whatever the driver raised: without its database the bot would forget settings and
        # scores, so it does not start half-way.
        log.error("Slack bot not started: the database cannot be opened: %s", exc)
        return 1
    log.info("study desk open on %s", desk.describe)
    listeners = ListenerExecutor()
    app = build_app(settings, client, listener_executor=listeners)
    slack_listeners = register(app, service, settings, desk=desk)
    remove_check = HEALTH.register("knowledge", knowledge_check(lambda: service))
    try:
        slack_listeners.recover_quizzes(str(identity.get("team_id") or "") or None)
    except Exception:
        # The quizzes stay as stored; the next start, or their channels' next answers, pick
        # them up. Answering questions matters more than a quiz.
        log.exception("could not pick up the quizzes that were running")
    try:
        if settings.socket_mode:
            run_socket_mode(app, settings, listeners=listeners)
        else:
            asyncio.run(serve_http(app, settings, listeners=listeners))
    except StartupError as exc:
        log.error("Slack bot not started: %s", exc)
        return 1
    except OSError as exc:
        log.error("Slack bot stopped: cannot serve on port %s: %s", settings.http_port, exc)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        remove_check()
        listeners.shutdown(wait=False, cancel_futures=True)
        # After the listeners have drained (the servers wait for them): no listener is left
        # waiting on the desk's loop when it stops.
        desk.close()
    return 0
