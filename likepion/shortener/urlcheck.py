"""Which destination URLs a short link may point at (SPEC 4)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app, request
from sqlalchemy import or_, select

from likepion.core.db import db
from likepion.core.errors import ValidationFailed
from likepion.shortener.models import Domain

MAX_URL_LENGTH = 2048


def split_http_url(url: str, field: str):
    """`urlsplit(url)` when it is an absolute http(s) URL with a host; else a 422 on `field`."""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationFailed.on_field(field, f"Longer than {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationFailed.on_field(field, "Must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValidationFailed.on_field(field, "Not a valid URL.") from None
    if "\\" in parts.netloc:  # browsers end the host at a backslash, urlsplit does not
        raise ValidationFailed.on_field(field, "Not a valid URL.")
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValidationFailed.on_field(field, "Only http and https URLs are accepted.")
    if not parts.hostname:
        raise ValidationFailed.on_field(field, "An absolute URL with a host is required.")
    return parts


def check_destination(url: str, field: str = "url") -> str:
    """The URL, when it is http(s) and does not point back at this service or a branded domain."""
    host = split_http_url(url, field).hostname.lower().rstrip(".")  # "localhost." is localhost
    if reaches_this_service(host):
        raise ValidationFailed.on_field(field, "Links to this service itself are not accepted.")
    return url


def is_own_host(host: str) -> bool:
    """True for this request's host and the public URL's host."""
    own = {request.host.split(":")[0].lower()}
    public = current_app.config.get("PUBLIC_URL")
    if public:
        own.add((urlsplit(public).hostname or "").lower())
    return host in own


def reaches_this_service(host: str) -> bool:
    """True for our own hosts and every branded domain's host."""
    if is_own_host(host):
        return True
    branded = select(Domain.id).where(or_(Domain.host == host, Domain.host.startswith(host + ":")))
    return db.session.scalar(branded.limit(1)) is not None


def is_public_host(host: str) -> bool:
    """True when every address `host` resolves to is a public one (no loopback, private,
    link-local or reserved ranges): the check before fetching anything a user names."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    return bool(addresses) and all(address.is_global for address in addresses)
