"""The Slack bot: `python -m bot slack` runs `main()`.

Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), HTTP mode otherwise
(SLACK_SIGNING_SECRET; POST /slack/events on SLACK_HTTP_PORT). Both serve the same listeners,
added by `register(app, service, settings)`; the pieces live in `bot.adapters.slack`.
"""

from __future__ import annotations

import asyncio
import logging

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
    listeners = ListenerExecutor()
    app = build_app(settings, client, listener_executor=listeners)
    register(app, service, settings)
    remove_check = HEALTH.register("knowledge", knowledge_check(lambda: service))
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
    return 0
