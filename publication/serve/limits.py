"""How much the web app lets a client ask for: requests per second (a token bucket per
client address, and a stricter one for wrong passwords) and sets waiting to be made
(a cap for everyone and one per client), so that no client can fill the queue, the
workers or the disk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_CLIENTS = 10_000  # buckets kept; the oldest half is forgotten past it


@dataclass
class RateLimit:
    """A token bucket per client address: `rate` tokens a second, at most `burst`."""

    rate: float
    burst: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _tokens(self, client: str, now: float) -> float:
        tokens, last = self.buckets.get(client, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - last) * self.rate)

    def allow(self, client: str) -> float:
        """Take a token: 0 when `client` may go on, else the seconds until it may."""
        now = time.monotonic()
        with self.lock:
            tokens = self._tokens(client, now)
            if tokens < 1:
                self.buckets[client] = (tokens, now)
                return (1 - tokens) / self.rate
            self.buckets[client] = (tokens - 1, now)
            if len(self.buckets) > MAX_CLIENTS:
                for old in sorted(self.buckets, key=lambda c: self.buckets[c][1])[
                        :MAX_CLIENTS // 2]:
                    del self.buckets[old]
            return 0.0

    def waiting(self, client: str) -> float:
        """Like `allow`, without taking a token: the seconds until `client` has one."""
        now = time.monotonic()
        with self.lock:
            tokens = self._tokens(client, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate


@dataclass
class Admission:
    """The sets waiting to be made (queued or being made) that this app asked for, by
    who asked: at most `total` of them, `per_client` of one client's."""

    total: int
    per_client: int
    pending: dict[str, str] = field(default_factory=dict)  # set key -> client
    lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, key: str, client: str, is_pending: Callable[[str], bool],
              submit: Callable[[], None]) -> str | None:
        """Submit the set `key` for `client` unless a cap is reached: None when it is
        queued (or already was), else "busy" (every client's cap) or "client" (its own).
        `is_pending` tells whether a set is still waiting to be made."""
        with self.lock:
            for old in [k for k in self.pending if k != key and not is_pending(k)]:
                del self.pending[old]
            if key not in self.pending:
                if len(self.pending) >= self.total:
                    return "busy"
                if sum(c == client for c in self.pending.values()) >= self.per_client:
                    return "client"
                self.pending[key] = client
            submit()
            return None
