"""Who someone is: moderator or not, and the name the bot may show for them.

Both come from `users.info` (the `users:read` scope), cached for a short while: a moderator
typing several commands costs one call, and an admin who loses the role loses the powers within
a minute. A failed lookup is never cached and never makes anyone a moderator.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("bot.adapters.slack")

CACHE_SECONDS = 60.0
CACHE_SIZE = 5_000
# Shown names are the user's own choice, so they are kept short; what is shown is still escaped.
NAME_LIMIT = 80


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str | None
    admin: bool


class UserDirectory:
    def __init__(
        self,
        client: WebClient,
        moderator_ids: Iterable[str] = (),
        *,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._moderator_ids = frozenset(moderator_ids)
        self._ttl = ttl
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, Person]] = OrderedDict()
        self._lock = threading.Lock()

    def is_moderator(self, user_id: str) -> bool:
        """A workspace admin or owner, or someone the operator listed in SLACK_MODERATOR_IDS."""
        if not user_id:
            return False
        if user_id in self._moderator_ids:
            return True
        person = self.lookup(user_id)
        return person is not None and person.admin

    def name(self, user_id: str | None) -> str | None:
        """The display name, or None when Slack will not say (never a mention)."""
        if not user_id:
            return None
        person = self.lookup(user_id)
        return person.name if person is not None else None

    def lookup(self, user_id: str) -> Person | None:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(user_id)
            if cached is not None and now - cached[0] < self._ttl:
                return cached[1]
        try:
            response = self._client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for a user: %s", exc.response.get("error"))
            return None
        except OSError as exc:
            log.warning("users.info could not reach Slack: %s", exc)
            return None
        data = response.data if isinstance(response.data, dict) else {}
        person = _person(user_id, data.get("user"))
        with self._lock:
            self._cache[user_id] = (now, person)
            self._cache.move_to_end(user_id)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return person


def _person(user_id: str, user: Any) -> Person:
    if not isinstance(user, dict):
        return Person(user_id, None, False)
    raw_profile = user.get("profile")
    profile: dict[str, Any] = raw_profile if isinstance(raw_profile, dict) else {}
    name = next(
        (
            str(value).strip()[:NAME_LIMIT]
            for value in (
                profile.get("display_name"),
                profile.get("real_name"),
                user.get("real_name"),
                user.get("name"),
            )
            if isinstance(value, str) and value.strip()
        ),
        None,
    )
    # A deactivated account keeps its old flags; it must not keep moderating.
    admin = not user.get("deleted") and bool(
        user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
    )
    return Person(user_id, name, admin)
