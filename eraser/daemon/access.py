"""Who may call what on the intake API: bearer tokens with roles, and a per-token rate limit.

A token is configured by its SHA-256 and its roles. `submit` files tickets and sees only the tickets it filed;
`approve` approves, extends and rejects, and reads every ticket; `hold` places, lists and lifts legal holds;
`read` reads every ticket, hold and certificate; `admin` may do all of these. Four eyes is enforced by token:
the token that filed a ticket never approves it, whatever its roles.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from eraser.config import ApiConfig

ROLES = ("submit", "approve", "hold", "read", "admin")
READ_ALL = ("read", "approve")  # roles that see every ticket and certificate, not only their own


@dataclass(frozen=True)
class Principal:
    """The authenticated token: its configured name and roles."""

    name: str
    roles: frozenset[str]

    def has(self, *roles: str) -> bool:
        """True when the token holds one of `roles` (admin holds them all)."""
        return "admin" in self.roles or not self.roles.isdisjoint(roles)

    @property
    def reads_all(self) -> bool:
        return self.has(*READ_ALL)

    def may_see(self, submitted_by: str | None) -> bool:
        """A ticket (or its certificate) is visible to readers, and to the token that submitted it."""
        return self.reads_all or (self.has("submit") and submitted_by == self.name)


class TokenBuckets:
    """One token bucket per API token, in process: `burst` requests at once, refilled at `per_minute`."""

    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, key: str) -> float:
        """Take one request from the key's bucket: 0 when allowed, else the seconds until one is available."""
        with self._lock:
            moment = self.clock()
            level, last = self._buckets.get(key, (self.burst, moment))
            level = min(self.burst, level + (moment - last) * self.rate)
            if level >= 1.0:
                self._buckets[key] = (level - 1.0, moment)
                return 0.0
            self._buckets[key] = (level, moment)
            return (1.0 - level) / self.rate


class Access:
    """The configured tokens (by SHA-256) and their buckets; `principal` authenticates a request."""

    def __init__(self, api: ApiConfig) -> None:
        self.tokens = [(bytes.fromhex(t.sha256), Principal(t.name, frozenset(t.roles))) for t in api.tokens]
        self.buckets = TokenBuckets(api.rate_limit.per_minute, api.rate_limit.burst)

    def principal(self, presented: str) -> Principal | None:
        offered = hashlib.sha256(presented.encode()).digest()
        match = None
        for expected, principal in self.tokens:  # compare with every token, in constant time
            if hmac.compare_digest(offered, expected):
                match = principal
        return match


_bearer = HTTPBearer(auto_error=False)


async def authenticated(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The token presented: 401 without one that matches, 429 when its rate limit is used up. A coroutine, as is
    `requires`' check: a few microseconds of hashing, not worth a hop to the thread pool and back."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is required.", headers={"WWW-Authenticate": "Bearer"})
    access: Access = request.app.state.access
    principal = access.principal(credentials.credentials)
    # Wrong tokens share one bucket (no configured name starts with NUL): guessing is throttled too.
    wait = access.buckets.wait_seconds(principal.name if principal else "\x00invalid")
    if wait > 0:
        raise HTTPException(429, "this token has made too many requests; retry after the Retry-After seconds.",
                            headers={"Retry-After": str(max(1, math.ceil(wait)))})
    if principal is None:
        raise HTTPException(401, "the bearer token is not valid.", headers={"WWW-Authenticate": "Bearer"})
    return principal


def requires(*roles: str, action: str) -> Any:
    """A dependency: the authenticated token, or 403 when it holds none of `roles`."""
    needed = " or ".join(f"'{r}'" for r in roles)

    async def check(principal: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if not principal.has(*roles):
            raise HTTPException(403, f"{action} needs the {needed} role, which this token does not have.")
        return principal

    return Depends(check)
