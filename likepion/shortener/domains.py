"""Branded domains: a host of the user's that serves their short links."""

import re

from sqlalchemy import func, select

from likepion.core.db import db, get_owned
from likepion.core.errors import Conflict, ValidationFailed
from likepion.core.pagination import Page
from likepion.shortener import owned, urlcheck
from likepion.shortener.models import Domain, ShortUrl

# A DNS name of at least two labels (no IP literals), at most 253 characters, as stored.
HOSTNAME = re.compile(
    r"^(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?\Z"
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def list_domains(user, *, page: int, limit: int) -> Page:
    return owned.list_owned(Domain, user, page=page, limit=limit)


def create_domain(user, *, domain: str, redirectroot=None, redirect404=None) -> Domain:
    """A new branded domain (scheme and host only), under the plan's domain count."""
    parts = urlcheck.split_http_url(domain, "domain")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValidationFailed.on_field("domain", "Give only the scheme and host.")
    if urlcheck.is_own_host(parts.hostname.lower()):
        raise ValidationFailed.on_field("domain", "This is the service's own host.")
    host = _host(parts)
    return owned.create_owned(
        Domain,
        user,
        plan_count="domain",
        scheme=parts.scheme.lower(),
        host=host,
        **_redirects(redirectroot, redirect404),
    )


def update_domain(user, domain_id: int, **values) -> Domain:
    redirects = _redirects(values.get("redirectroot"), values.get("redirect404"))
    changes = {
        column: redirects[column]
        for column, key in (("redirect_root", "redirectroot"), ("redirect_404", "redirect404"))
        if key in values
    }
    return owned.update_owned(Domain, user, domain_id, **changes)


def delete_domain(user, domain_id: int) -> None:
    """Refused while links use the domain: deleting it would silently break them."""
    domain = get_owned(Domain, domain_id, user.id)
    in_use = db.session.scalar(
        select(func.count()).select_from(ShortUrl).where(ShortUrl.domain_id == domain.id)
    )
    if in_use:
        raise Conflict(
            f"{in_use} link(s) use this domain; move or delete them first.", code="domain_in_use"
        )
    owned.remove(domain)


def host_of(domain: str) -> str:
    """The stored host of `https://domain1.com`, `domain1.com:8080` and the like."""
    url = domain if "://" in domain else f"https://{domain}"
    return _host(urlcheck.split_http_url(url.rstrip("/"), "domain"))


def _host(parts) -> str:
    """The host as a browser sends it: the IDNA name, with the port unless it is the default;
    so one host has one spelling and the unique column sees every duplicate."""
    try:
        name = parts.hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        name = ""
    if not HOSTNAME.fullmatch(name) or parts.port == 0:
        raise ValidationFailed.on_field(
            "domain", "Give a domain name such as https://links.example.com."
        )
    if parts.port in (None, DEFAULT_PORTS[parts.scheme.lower()]):
        return name
    return f"{name}:{parts.port}"


def _redirects(root: str | None, not_found: str | None) -> dict:
    for value, field in ((root, "redirectroot"), (not_found, "redirect404")):
        if value:
            urlcheck.split_http_url(value, field)
    return {"redirect_root": root or None, "redirect_404": not_found or None}
