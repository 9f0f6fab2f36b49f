"""Rate limits for the endpoints anyone can reach without a key (the unsubscribe link in every SMS).

A token in a link is unguessable, but an endpoint that answers anyone is still an invitation to
guess, or to flood. Each client address gets `CONSENTGATE_PUBLIC_RATE` requests (default 60 a minute,
a moving window) from the `limits` library. Storage is `CONSENTGATE_RATE_LIMIT_STORAGE`: the default
`memory://` counts per worker process; `redis://127.0.0.1:6379` shares one count across workers.
"""

from __future__ import annotations

from fastapi import Request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from consentgate.service.problems import HttpProblem

DEFAULT_RATE = "60/minute"
DEFAULT_STORAGE = "memory://"


class TooManyRequests(HttpProblem):
    code = "service.too_many_requests"
    status = 429


class PublicLimiter:
    def __init__(self, rate: str = DEFAULT_RATE, storage: str = DEFAULT_STORAGE) -> None:
        self.rate: RateLimitItem = parse(rate)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage))

    def check(self, client: str) -> None:
        if not self._limiter.hit(self.rate, "public", client):
            raise TooManyRequests.from_key("service.too_many_requests", rate=str(self.rate))


async def public_rate_limit(request: Request) -> None:
    """A dependency for keyless endpoints: one budget per client address."""
    client = request.client.host if request.client else "unknown"
    limiter: PublicLimiter = request.app.state.public_limiter
    limiter.check(client)
