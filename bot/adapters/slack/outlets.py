"""How a listener's reply reaches Slack: through a response URL, or into a conversation."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.slack.blocks import Message

log = logging.getLogger("bot.adapters.slack")


class Outlet(Protocol):
    """How a listener's reply reaches Slack."""

    @property
    def deletable(self) -> bool:
        """Whether a public post here is a channel message that its asker may delete later."""
        ...

    def public(self, message: Message) -> None: ...

    def private(self, message: Message) -> None: ...


class ResponseUrlOutlet:
    """Replies to a slash command or a click through its response URL.

    The response URL works in channels the bot has not joined and in direct messages, where
    chat.postMessage would fail with `not_in_channel`.
    """

    deletable = True

    def __init__(self, respond: Respond) -> None:
        self._respond = respond

    def public(self, message: Message) -> None:
        self._send(message, response_type="in_channel", replace_original=False)

    def private(self, message: Message) -> None:
        self._send(message, response_type="ephemeral", replace_original=False)

    def replace(self, message: Message) -> None:
        self._send(message, replace_original=True)

    def delete_original(self) -> None:
        self._send(Message(""), delete_original=True)

    def _send(self, message: Message, **options: Any) -> None:
        try:
            result = self._respond(text=message.text, blocks=message.blocks or None, **options)
        except (OSError, ValueError) as exc:
            log.warning("posting to the response URL failed: %s", exc)
            return
        if result.status_code != 200:
            log.warning("the response URL answered HTTP %s: %s", result.status_code, result.body)


class ChannelOutlet:
    """Replies to an event in its conversation, in its thread when there is one.

    In a direct message everything is private already, so nothing is sent ephemerally there.
    """

    def __init__(
        self,
        client: WebClient,
        channel: str,
        user: str,
        thread_ts: str | None,
        *,
        direct: bool,
    ) -> None:
        self._client = client
        self._channel = channel
        self._user = user
        self._thread_ts = thread_ts
        self._direct = direct

    @property
    def deletable(self) -> bool:
        return not self._direct

    def public(self, message: Message) -> None:
        try:
            self._client.chat_postMessage(
                channel=self._channel,
                thread_ts=self._thread_ts,
                text=message.text,
                blocks=message.blocks or None,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            log.warning("chat.postMessage failed: %s", exc.response.get("error"))

    def private(self, message: Message) -> None:
        if self._direct:
            self.public(message)
            return
        try:
            self._client.chat_postEphemeral(
                channel=self._channel,
                user=self._user,
                thread_ts=self._thread_ts,
                text=message.text,
                blocks=message.blocks or None,
            )
        except SlackApiError as exc:
            log.warning("chat.postEphemeral failed: %s", exc.response.get("error"))
