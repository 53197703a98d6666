"""Per-family rate limits: one shared counter per caller across all routes of an API family,
and per-IP limits that public routes check themselves (`hit_public_limit`)."""

import logging
import time
from functools import partial

from flask import Flask, current_app, request
from flask_jwt_extended import decode_token
from flask_limiter import HeaderNames, Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from likepion.core.credentials import api_key, bearer_token, server_key
from likepion.core.crypto import key_hash

log = logging.getLogger(__name__)
# Flask-Limiter sets Retry-After on every answer of a limited route (the time until its window
# resets), which tells a client that was served to wait. It writes this header instead, and
# _retry_after_only_on_429 keeps it as Retry-After on 429s only.
WINDOW_RESET_HEADER = "X-Likepion-Window-Reset"


def client_ip() -> str:
    return "ip:" + (get_remote_address() or "unknown")


def api_key_identity() -> str:
    """Shortener callers: the hash of their API key."""
    token = api_key()
    return "key:" + key_hash(token) if token else client_ip()


def jwt_identity() -> str:
    """Backlink callers: the user inside a valid access token (tokens rotate, users do not)."""
    token = bearer_token()
    if token:
        try:
            return "user:" + decode_token(token)["sub"]
        except Exception:  # noqa: BLE001 - any bad token is simply not an identity
            pass
    return client_ip()


def server_identity() -> str:
    """Worker callers: the hash of their server key."""
    key = server_key()
    return "server:" + key_hash(key) if key else client_ip()


def init_rate_limits(app: Flask, family_limits: list[tuple]) -> Limiter:
    """A limiter for this app with `(blueprint, config_key, key_func)` shared limits.

    The limiter is built per app (not a module global) because Flask-Limiter keeps the first
    app's key prefix and strategy on the object, and tests build many apps.
    """
    limited = {blueprint.name for blueprint, _, _ in family_limits}
    app.after_request(partial(_family_headers_when_unrouted, family_limits))
    limiter = Limiter(
        key_func=client_ip,
        app=app,
        header_name_mapping={HeaderNames.RETRY_AFTER: WINDOW_RESET_HEADER},
    )
    app.extensions["likepion_limiter"] = limiter
    _limiter_hooks_only_for(app, limited)
    for blueprint, config_key, key_func in family_limits:
        limiter.shared_limit(
            lambda key=config_key: current_app.config[key],
            scope=config_key.lower(),
            key_func=key_func,
        )(blueprint)
    return limiter


def _family_headers_when_unrouted(family_limits: list[tuple], response):
    """X-RateLimit-* also on API answers that matched no route (404, 405), read from the
    family's counter without counting them."""
    if request.url_rule is None:
        _add_family_headers(response, family_limits)
    return response


def _retry_after_only_on_429(response):
    """Retry-After only on 429s; other answers keep one they set themselves (e.g. the 503 of a
    lost database)."""
    reset = response.headers.pop(WINDOW_RESET_HEADER, None)
    if reset is not None and response.status_code == 429:
        response.headers["Retry-After"] = reset
    return response


def _add_family_headers(response, family_limits: list[tuple]) -> None:
    limiter: Limiter = current_app.extensions["likepion_limiter"]
    family = _family_of(request.path, family_limits)
    if family is None or not limiter.enabled:
        return
    _, config_key, key_func = family
    args = [current_app.config["RATELIMIT_KEY_PREFIX"], key_func(), config_key.lower()]
    try:
        state = RequestLimit(limiter, parse(current_app.config[config_key]), args, False, True)
        remaining, reset_at = state.remaining, state.reset_at
    except Exception:  # noqa: BLE001 - storage down: an unrouted answer goes without them
        log.debug("rate limit headers of an unrouted answer", exc_info=True)
        return
    response.headers["X-RateLimit-Limit"] = str(state.limit.amount)
    response.headers["X-RateLimit-Remaining"] = str(remaining)
    response.headers["X-RateLimit-Reset"] = str(reset_at)


def _family_of(path: str, family_limits: list[tuple]):
    """The (blueprint, config key, key func) whose URL prefix is the longest one of `path`."""
    best = None
    for family in family_limits:
        prefix = family[0].url_prefix or ""
        if not prefix:  # a blueprint at the root (SSO logins) is no family of every path
            continue
        if "<" in prefix:  # the worker family: /api/v1/<service_type>
            prefix = prefix.split("/<", 1)[0]
        if (path == prefix or path.startswith(prefix + "/")) and (
            best is None or len(prefix) > len(best[0])
        ):
            best = (prefix, family)
    return best[1] if best else None


def _limiter_hooks_only_for(app: Flask, limited: set[str]) -> None:
    """Move the limiter's request hooks from the app to the limited API blueprints.

    Other routes (public redirects, health, docs) have no limits, yet the limiter's hooks
    resolved limits and exemptions on every request (a fifth of the redirect's time); Flask
    looks blueprint hooks up by the request's blueprint, so these routes never call them.
    """
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        mine = [hook for hook in hooks[None] if _is_limiter_hook(hook)]
        hooks[None] = [hook for hook in hooks[None] if not _is_limiter_hook(hook)]
        for name in limited:
            hooks.setdefault(name, [])[:0] = mine  # before any hook of the blueprint's own
    for name in limited:  # after_request hooks run last first: this one after the limiter's
        app.after_request_funcs[name].insert(0, _retry_after_only_on_429)


def _is_limiter_hook(hook) -> bool:
    return isinstance(getattr(hook, "__self__", None), Limiter) or (
        isinstance(hook, partial) and isinstance(hook.args[0], Limiter)
    )


def hit_public_limit(config_key: str, *scope) -> None:
    """Count one hit of the limit in `config_key` for the client IP (and `scope`, e.g. a link
    id); 429 with Retry-After when over. Called by the public views themselves, so the redirect
    pays nothing for the limiter (see _limiter_hooks_only_for)."""
    limiter: Limiter = current_app.extensions["likepion_limiter"]
    if not limiter.enabled:
        return
    item = parse(current_app.config[config_key])
    keys = (current_app.config["RATELIMIT_KEY_PREFIX"], config_key.lower(), client_ip(), *scope)
    try:
        counter = limiter.limiter
        allowed = counter.hit(item, *keys)
    except Exception:  # noqa: BLE001 - storage down: count in this process meanwhile
        counter = _memory_counter(current_app)
        allowed = counter.hit(item, *keys)
    if not allowed:
        reset = counter.get_window_stats(item, *keys).reset_time
        raise TooManyRequests(str(item), retry_after=max(1, int(reset - time.time())))


def _memory_counter(app: Flask) -> MovingWindowRateLimiter:
    found = app.extensions.get("likepion_memory_limiter")
    if found is None:
        log.warning("rate limit storage unreachable: public limits counted in this process")
        found = app.extensions["likepion_memory_limiter"] = MovingWindowRateLimiter(MemoryStorage())
    return found
