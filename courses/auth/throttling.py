"""Failed log-ins: counted per (account, address), so nobody can lock someone else out.

- LOGIN_FAILURES_PER_EMAIL ("5 per 15 minutes"): failures of one e-mail address from one
  client address; past it, that pair is locked (even the right password is not tried).
  The owner logging in from another address is not affected.
- LOGIN_FAILURES_PER_ACCOUNT ("20 per 15 minutes"): failures of one e-mail address from
  every client address together; past it every address is slowed down for that account:
  LOGIN_SLOWDOWN ("1 per minute") failures per address, after which that address waits.
  An address that has not failed still has its try, so the owner still gets in.

Unknown e-mail addresses are counted exactly like real ones: the answers (generic failure,
then the lock) are the same whether the account exists or not. Counters live in the rate
limit store (Redis, or the database while Redis is down), so they hold across servers.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask import current_app
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from courses.auth.services import normalize_email

logger = logging.getLogger("courses.auth")


@dataclass(frozen=True)
class Lock:
    """A refused attempt: how long until the next one is worth trying."""

    retry_after: int


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _limiter() -> FixedWindowRateLimiter:
    return FixedWindowRateLimiter(current_app.extensions["rate_limit_storage"])


def _keys(email: str, address: str) -> dict[str, str]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "courses")
    account = normalize_email(email or "")[:150]  # with the address, within a 255-character key
    return {"pair": f"{prefix}/login-fail/{account}/{address}",
            "slow": f"{prefix}/login-slow/{account}/{address}",
            "account": f"{prefix}/login-fail-account/{account}"}


def _limits():
    config = current_app.config
    return {"pair": parse(config["LOGIN_FAILURES_PER_EMAIL"]),
            "slow": parse(config.get("LOGIN_SLOWDOWN", "1 per minute")),
            "account": parse(config.get("LOGIN_FAILURES_PER_ACCOUNT", "20 per 15 minutes"))}


def _retry_after(limiter: FixedWindowRateLimiter, item, key: str) -> int:
    reset = limiter.get_window_stats(item, key).reset_time
    return max(1, int(reset - time.time()) + 1)


def check_lock(email: str, address: str) -> Lock | None:
    """The lock on this (account, address) pair, if any; None when the attempt may go ahead."""
    if not _enabled():
        return None
    limiter, keys, limits = _limiter(), _keys(email, address), _limits()
    if not limiter.test(limits["pair"], keys["pair"]):
        return Lock(_retry_after(limiter, limits["pair"], keys["pair"]))
    under_attack = not limiter.test(limits["account"], keys["account"])
    if under_attack and not limiter.test(limits["slow"], keys["slow"]):
        return Lock(_retry_after(limiter, limits["slow"], keys["slow"]))
    return None


def record_failure(email: str, address: str) -> None:
    """Count a failed log-in against the pair and the account."""
    if not _enabled():
        return
    limiter, keys, limits = _limiter(), _keys(email, address), _limits()
    limiter.hit(limits["pair"], keys["pair"])
    limiter.hit(limits["slow"], keys["slow"])
    account = limits["account"]
    count = limiter.storage.incr(account.key_for(keys["account"]), account.get_expiry())
    if count == account.amount + 1:  # the failure that crosses the threshold, once per window
        account_under_attack(normalize_email(email or ""))


def record_success(email: str, address: str) -> None:
    """The right password from this address: its own failures are forgiven."""
    if not _enabled():
        return
    limiter, keys, limits = _limiter(), _keys(email, address), _limits()
    limiter.clear(limits["pair"], keys["pair"])
    limiter.clear(limits["slow"], keys["slow"])


def account_under_attack(email: str) -> None:
    """Called once per window when an account passes LOGIN_FAILURES_PER_ACCOUNT.

    The seam for an unlock link: once the application sends mail, this is where the owner
    gets a message with a link that clears the slow-down (see record_success) for them.
    Until then it is logged, without the e-mail address in full.
    """
    local, _, domain = email.partition("@")
    logger.warning("log-in failures for account %s*@%s passed LOGIN_FAILURES_PER_ACCOUNT: every address "
                   "is slowed down", local[:2], domain)
