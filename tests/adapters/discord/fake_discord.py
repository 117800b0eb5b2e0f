"""A small fake Discord on 127.0.0.1: REST under /api/v10 and a websocket gateway.

It answers just enough for the real discord.py client to log in, connect, sync commands, post
and delete messages and answer interactions; it records every REST request so tests can assert
what the bot sent, and lets tests inject gateway dispatches and drop the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"

BOT_ID = 1_000
APP_ID = BOT_ID
GUILD_ID = 2_000
CHANNEL_ID = 3_000
OTHER_CHANNEL_ID = 3_001
DM_CHANNEL_ID = 3_900
ALICE_ID = 4_001
BOB_ID = 4_002
MOD_ID = 4_003
OWNER_ID = 4_999
MODERATOR_ROLE_ID = 5_000

TOKEN = "fake.bot.token-1234567890"
MANAGE_GUILD = 1 << 5
MANAGE_MESSAGES = 1 << 13
USE_APPLICATION_COMMANDS = 1 << 31
EPHEMERAL = 1 << 6
TIMESTAMP = "2024-01-01T00:00:00.000000+00:00"

Json = dict[str, Any]


def user_payload(user_id: int, name: str, *, bot: bool = False) -> Json:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


BOT_USER = user_payload(BOT_ID, "studybot", bot=True)
ALICE = user_payload(ALICE_ID, "alice")
BOB = user_payload(BOB_ID, "bob")
MOD = user_payload(MOD_ID, "mod")


@dataclass
class Recorded:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any
    status: int = 0
    response: Any = None


@dataclass
class _Scripted:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Json
    headers: dict[str, str]
    times: int


@dataclass
class _Gateway:
    """What the fake gateway has seen, for tests that watch the connection itself."""

    identifies: list[Json] = field(default_factory=list)
    resumes: list[Json] = field(default_factory=list)
    heartbeats: int = 0
    connections: int = 0


class FakeDiscord:
    def __init__(
        self,
        *,
        token: str = TOKEN,
        allow_message_content: bool = True,
        allow_resume: bool = True,
    ) -> None:
        self.token = token
        self.allow_message_content = allow_message_content
        self.allow_resume = allow_resume
        self.requests: list[Recorded] = []
        self.messages: dict[str, Json] = {}
        self.gateway = _Gateway()
        self._ids = itertools.count(10_000)
        self._scripted: list[_Scripted] = []
        self._interactions: dict[str, Json] = {}
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._session_id: str | None = None
        self._streaming = False  # READY or RESUMED sent on the current socket
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_get(GATEWAY_PATH, self._gateway_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None)
        assert sockets
        self.port = int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    # -- waiting ----------------------------------------------------------------------------

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], bool], seconds: float = 5.0) -> None:
        assert self._changed is not None
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(predicate)

    def matching(self, method: str, path_pattern: str, status: int | None = None) -> list[Recorded]:
        rx = re.compile(path_pattern)
        return [
            r
            for r in self.requests
            if r.method == method
            and rx.fullmatch(r.path)
            and (status is None or r.status == status)
        ]

    async def wait_for_request(
        self, method: str, path_pattern: str, *, count: int = 1, seconds: float = 5.0
    ) -> list[Recorded]:
        """All requests matching, once at least `count` of them have been answered."""
        await self.wait_until(lambda: len(self.matching(method, path_pattern)) >= count, seconds)
        return self.matching(method, path_pattern)

    async def wait_streaming(self, seconds: float = 5.0) -> None:
        """Until the current socket has had READY or RESUMED, so dispatches will be read."""
        await self.wait_until(lambda: self._streaming, seconds)

    # -- scripting --------------------------------------------------------------------------

    def rate_limit_next(self, method: str, path_pattern: str, retry_after: float = 0.2) -> None:
        self._scripted.append(
            _Scripted(
                method,
                re.compile(path_pattern),
                429,
                {"message": "Rate limited.", "retry_after": retry_after, "global": False},
                {
                    # discord.py treats a 429 without Via as a Cloudflare ban and gives up.
                    "Via": "1.1 google",
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(retry_after),
                    "X-RateLimit-Bucket": "fake-bucket",
                    "X-RateLimit-Scope": "user",
                },
                1,
            )
        )

    # -- gateway ----------------------------------------------------------------------------

    async def dispatch(self, event: str, data: Json) -> None:
        await self.wait_streaming()
        await self._send_dispatch(event, data)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the socket the way a Discord restart does; the client should come back."""
        ws = self._ws
        assert ws is not None
        self._streaming = False
        await ws.close(code=code, message=b"fake discord restarting")

    async def _send_dispatch(self, event: str, data: Json) -> None:
        assert self._ws is not None
        self._seq += 1
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        self._streaming = False
        self.gateway.connections += 1
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45_000}}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op = frame.get("op")
            if op == 1:
                self.gateway.heartbeats += 1
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(ws, frame["d"])
            elif op == 6:
                await self._resume(ws, frame["d"])
            await self._notify()
        await self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: Json) -> None:
        self.gateway.identifies.append(data)
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        message_content = 1 << 15
        if data.get("intents", 0) & message_content and not self.allow_message_content:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self._session_id = f"session-{next(self._ids)}"
        self._seq = 0
        ready: Json = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": self._session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        await self._send_dispatch("READY", ready)
        await self._send_dispatch("GUILD_CREATE", self.guild_payload())
        self._streaming = True

    async def _resume(self, ws: web.WebSocketResponse, data: Json) -> None:
        self.gateway.resumes.append(data)
        if not self.allow_resume or data.get("session_id") != self._session_id:
            # Invalid session, not resumable: the client must identify again.
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        await self._send_dispatch("RESUMED", {})
        self._streaming = True

    # -- REST -------------------------------------------------------------------------------

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
        record = Recorded(request.method, path, dict(request.query), body)
        self.requests.append(record)
        status, payload, headers = self._answer(request, record)
        record.status = status
        record.response = payload
        await self._notify()
        if payload is None:
            return web.Response(status=status, headers=headers)
        # Exactly application/json: discord.py only parses JSON when the header is just that.
        headers = {"Content-Type": "application/json", **headers}
        return web.Response(status=status, body=json.dumps(payload).encode(), headers=headers)

    def _answer(self, request: web.Request, record: Recorded) -> tuple[int, Any, dict[str, str]]:
        for scripted in self._scripted:
            if (
                scripted.times > 0
                and scripted.method == record.method
                and scripted.pattern.fullmatch(record.path)
            ):
                scripted.times -= 1
                return scripted.status, scripted.body, scripted.headers
        interaction_route = record.path.startswith(("/interactions/", "/webhooks/"))
        if not interaction_route and request.headers.get("Authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, record.path)
            if method == record.method and match:
                status, payload = handler(record, *match.groups())
                return status, payload, {}
        return 404, {"message": f"Unknown route {record.method} {record.path}", "code": 0}, {}

    def _routes(self) -> list[tuple[str, str, Callable[..., tuple[int, Any]]]]:
        return [
            ("GET", r"/users/@me", lambda r: (200, BOT_USER)),
            ("GET", r"/oauth2/applications/@me", lambda r: (200, self.application_payload())),
            ("GET", r"/gateway", lambda r: (200, {"url": self.gateway_url})),
            ("GET", r"/gateway/bot", lambda r: (200, self._gateway_bot())),
            ("PUT", r"/applications/(\d+)/commands", self._put_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_guild_commands),
            ("POST", r"/channels/(\d+)/messages", self._post_message),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._get_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._patch_message),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", self._delete_message),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", self._edit_webhook_message),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", self._delete_webhook_message),
        ]

    def _gateway_bot(self) -> Json:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    def _commands(self, record: Recorded, guild_id: str | None) -> tuple[int, Any]:
        out = []
        for command in record.body or []:
            echoed = {
                "id": str(next(self._ids)),
                "application_id": str(APP_ID),
                "version": "1",
                "type": 1,
                "default_member_permissions": None,
                "nsfw": False,
                **command,
            }
            if guild_id is not None:
                echoed["guild_id"] = guild_id
            out.append(echoed)
        return 200, out

    def _put_commands(self, record: Recorded, app_id: str) -> tuple[int, Any]:
        return self._commands(record, None)

    def _put_guild_commands(self, record: Recorded, app_id: str, guild_id: str) -> tuple[int, Any]:
        return self._commands(record, guild_id)

    def _post_message(self, record: Recorded, channel_id: str) -> tuple[int, Any]:
        body = record.body or {}
        message = self.message_payload(
            channel_id=int(channel_id),
            author=BOT_USER,
            content=body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            message_reference=body.get("message_reference"),
            flags=body.get("flags", 0),
        )
        return 200, message

    def _get_message(self, record: Recorded, channel_id: str, message_id: str) -> tuple[int, Any]:
        if message_id in self.messages:
            return 200, self.messages[message_id]
        return 404, {"message": "Unknown Message", "code": 10008}

    def _patch_message(self, record: Recorded, channel_id: str, message_id: str) -> tuple[int, Any]:
        if message_id not in self.messages:
            return 404, {"message": "Unknown Message", "code": 10008}
        self.messages[message_id].update(record.body or {})
        return 200, self.messages[message_id]

    def _delete_message(
        self, record: Recorded, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        if self.messages.pop(message_id, None) is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 204, None

    def _callback(self, record: Recorded, interaction_id: str, token: str) -> tuple[int, Any]:
        interaction = self._interactions.get(token)
        if interaction is None:
            return 404, {"message": "Unknown interaction", "code": 10062}
        body = record.body or {}
        kind = body.get("type")
        data = body.get("data") or {}
        summary: Json = {"id": interaction_id, "type": interaction["type"]}
        response: Json = {"interaction": summary}
        if kind in (4, 7):
            if kind == 4:
                message = self.message_payload(
                    channel_id=int(interaction["channel_id"]),
                    author=BOT_USER,
                    content=data.get("content") or "",
                    embeds=data.get("embeds"),
                    components=data.get("components"),
                    flags=data.get("flags", 0),
                )
            else:
                message = interaction["message"]
                message.update(data)
            summary["response_message_id"] = message["id"]
            summary["response_message_ephemeral"] = bool(message.get("flags", 0) & EPHEMERAL)
            response["resource"] = {"type": kind, "message": message}
        else:
            response["resource"] = {"type": kind}
        return 200, response

    def _followup(self, record: Recorded, app_id: str, token: str) -> tuple[int, Any]:
        interaction = self._interactions.get(token)
        if interaction is None:
            return 404, {"message": "Unknown Webhook", "code": 10015}
        body = record.body or {}
        return 200, self.message_payload(
            channel_id=int(interaction["channel_id"]),
            author=BOT_USER,
            content=body.get("content") or "",
            embeds=body.get("embeds"),
            components=body.get("components"),
            flags=body.get("flags", 0),
        )

    def _webhook_message_id(self, token: str, message_id: str) -> str | None:
        if message_id != "@original":
            return message_id
        interaction = self._interactions.get(token, {})
        message = interaction.get("message")
        return str(message["id"]) if message else None

    def _edit_webhook_message(
        self, record: Recorded, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        target = self._webhook_message_id(token, message_id)
        if target is None or target not in self.messages:
            return 404, {"message": "Unknown Message", "code": 10008}
        self.messages[target].update(record.body or {})
        return 200, self.messages[target]

    def _delete_webhook_message(
        self, record: Recorded, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        target = self._webhook_message_id(token, message_id)
        if target is None or self.messages.pop(target, None) is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 204, None

    # -- payloads ---------------------------------------------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def application_payload(self) -> Json:
        return {
            "id": str(APP_ID),
            "name": "studybot",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(OWNER_ID, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
        }

    def guild_payload(self) -> Json:
        def text_channel(channel_id: int, name: str, position: int) -> Json:
            return {
                "id": str(channel_id),
                "type": 0,
                "guild_id": str(GUILD_ID),
                "name": name,
                "position": position,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
            }

        everyone = {
            "id": str(GUILD_ID),
            "name": "@everyone",
            "permissions": str((1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        # A role a server may name in DISCORD_MODERATOR_ROLE_IDS; it grants no permission.
        moderators = {
            **everyone,
            "id": str(MODERATOR_ROLE_ID),
            "name": "Study moderators",
            "permissions": "0",
            "position": 1,
        }
        return {
            "id": str(GUILD_ID),
            "name": "Study Server",
            "icon": None,
            "owner_id": str(OWNER_ID),
            "roles": [everyone, moderators],
            "channels": [
                text_channel(CHANNEL_ID, "study", 0),
                text_channel(OTHER_CHANNEL_ID, "off-topic", 1),
            ],
            "members": [self.member_payload(BOT_USER)],
            "member_count": 4,
            "threads": [],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "features": [],
            "large": False,
            "unavailable": False,
            "joined_at": TIMESTAMP,
            "premium_tier": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "preferred_locale": "en-US",
        }

    @staticmethod
    def member_payload(
        user: Json, permissions: int | None = None, roles: tuple[int, ...] = ()
    ) -> Json:
        member: Json = {
            "user": user,
            "roles": [str(role) for role in roles],
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "flags": 0,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def message_payload(
        self,
        *,
        channel_id: int,
        author: Json,
        content: str = "",
        embeds: list[Json] | None = None,
        components: list[Json] | None = None,
        message_reference: Json | None = None,
        mentions: list[Json] | None = None,
        flags: int = 0,
    ) -> Json:
        """A full message object, remembered so later clicks and replies can refer to it."""
        in_guild = channel_id != DM_CHANNEL_ID
        message: Json = {
            "id": str(next(self._ids)),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mentions or [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "components": components or [],
            "pinned": False,
            "type": 0,
            "flags": flags,
        }
        if in_guild:
            message["guild_id"] = str(GUILD_ID)
            if not author.get("bot"):
                member = self.member_payload(author)
                del member["user"]
                message["member"] = member
        if message_reference:
            message["type"] = 19
            reference = {"channel_id": str(channel_id), **message_reference}
            message["message_reference"] = reference
            referenced = self.messages.get(str(reference.get("message_id")))
            message["referenced_message"] = referenced
        self.messages[message["id"]] = message
        return message

    # -- what users do ----------------------------------------------------------------------

    async def user_says(
        self,
        content: str,
        *,
        author: Json = ALICE,
        channel_id: int = CHANNEL_ID,
        mention_bot: bool = True,
    ) -> Json:
        """A MESSAGE_CREATE from a user; with `mention_bot` the text starts with the mention."""
        text = f"<@{BOT_ID}> {content}" if mention_bot else content
        message = self.message_payload(
            channel_id=channel_id,
            author=author,
            content=text,
            mentions=[BOT_USER] if mention_bot else [],
        )
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    def _interaction(
        self,
        kind: int,
        data: Json,
        *,
        user: Json,
        channel_id: int,
        permissions: int,
        message: Json | None = None,
        roles: tuple[int, ...] = (),
    ) -> Json:
        interaction_id = next(self._ids)
        token = f"interaction-token-{interaction_id}"
        payload: Json = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "attachment_size_limit": 8 * 1024 * 1024,
            "data": data,
            "channel_id": str(channel_id),
            "locale": "en-US",
            "entitlements": [],
            "app_permissions": "0",
        }
        if channel_id == DM_CHANNEL_ID:
            payload["channel"] = {"id": str(channel_id), "type": 1}
            payload["user"] = user
            payload["context"] = 1
        else:
            payload["channel"] = {"id": str(channel_id), "type": 0}
            payload["guild_id"] = str(GUILD_ID)
            payload["guild_locale"] = "en-US"
            payload["member"] = self.member_payload(user, permissions, roles)
            payload["context"] = 0
        if message is not None:
            payload["message"] = message
        self._interactions[token] = payload
        return payload

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: Json = ALICE,
        channel_id: int = CHANNEL_ID,
        focused: str | None = None,
        permissions: int = USE_APPLICATION_COMMANDS,
        roles: tuple[int, ...] = (),
    ) -> Json:
        """/name option:value (type 2), or with `focused` the autocomplete for it (type 4).

        A name with a space is a subcommand of a group: "quiz start" sends /quiz with the
        subcommand `start` carrying the options, as Discord does."""
        opts = []
        for key, value in (options or {}).items():
            option_type = 4 if isinstance(value, int) else 3
            option: Json = {"name": key, "type": option_type, "value": value}
            if key == focused:
                option["focused"] = True
            opts.append(option)
        group, _, subcommand = name.partition(" ")
        if subcommand:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data = {"id": str(next(self._ids)), "name": group, "type": 1, "options": opts}
        kind = 4 if focused else 2
        payload = self._interaction(
            kind, data, user=user, channel_id=channel_id, permissions=permissions, roles=roles
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def click(
        self, message: Json, custom_id: str, *, user: Json = ALICE, permissions: int = 0
    ) -> Json:
        """A button click (type 3) on a message the bot posted, with the member's permissions."""
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(
            3,
            data,
            user=user,
            channel_id=int(message["channel_id"]),
            permissions=permissions,
            message=message,
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    def callbacks_for(self, interaction: Json) -> list[Recorded]:
        return self.matching(
            "POST", rf"/interactions/{interaction['id']}/{re.escape(interaction['token'])}/callback"
        )

    async def callback_for(self, interaction: Json, seconds: float = 5.0) -> Recorded:
        path = rf"/interactions/{interaction['id']}/{re.escape(interaction['token'])}/callback"
        found = await self.wait_for_request("POST", path, seconds=seconds)
        return found[0]


def custom_ids(message: Json) -> list[str]:
    return [
        component["custom_id"]
        for row in message.get("components", [])
        for component in row.get("components", [])
        if "custom_id" in component
    ]


@contextlib.contextmanager
def serve_in_thread(fake: FakeDiscord) -> Iterator[FakeDiscord]:
    """Run the fake on its own loop, for code under test that calls `asyncio.run` itself."""
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(fake.start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(fake.close())
        loop.close()

    thread = threading.Thread(target=run, name="fake-discord", daemon=True)
    thread.start()
    if not started.wait(5):
        raise RuntimeError("the fake Discord did not start")
    try:
        yield fake
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
