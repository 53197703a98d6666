"""Which destination URLs a short link may point at (docs/api-shortener.md)."""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

import ada_url
from flask import current_app, request
from sqlalchemy import or_, select

from likepion.core.db import db
from likepion.core.errors import ValidationFailed
from likepion.shortener.models import Domain

MAX_URL_LENGTH = 2048
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 ranges whose last 32 bits are an IPv4 address that the traffic reaches.
IPV4_IN_LAST_32_BITS = (
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated, still routed by some stacks)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix
)
# `scheme:` at the start of a URL (RFC 3986), and `host:port` that looks like one.
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
HOST_AND_PORT = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+:\d{1,5}(?=[/?#]|\Z)")
# NAT64 local-use prefixes (RFC 8215): the operator's own network, never public.
LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


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


def browser_host(url: str, field: str) -> str:
    """The host a browser connects to for `url`, by the WHATWG URL standard (ada, the parser
    of Node.js): percent-decoded, UTS 46 mapped (full-width letters and digits, the ideographic
    full stop), IPv4 in any form (`2130706433`, `0x7f.1`, `127.1`) written as dotted quads,
    IPv6 compressed and without brackets; no trailing dot. A URL browsers refuse is a 422."""
    split_http_url(url, field)
    try:
        host = ada_url.URL(url).hostname
    except ValueError:
        raise ValidationFailed.on_field(field, "Not a valid URL.") from None
    return host.strip("[]").rstrip(".")


def with_scheme(url: str) -> str:
    """`https://` + `url` when `url` has no scheme at all (`example.com/page`, `example.com:8080`),
    as Bitly does; anything else (`javascript:`, `ftp://`, `//host`, `/path`) is left as it is."""
    if url[:1].isascii() and url[:1].isalnum():
        if not SCHEME.match(url) or HOST_AND_PORT.match(url):
            return "https://" + url
    return url


def check_destination(url: str, field: str = "url") -> str:
    """The URL (completed by with_scheme), when it is http(s) and does not point back at this
    service, a branded domain, or a loopback, private or otherwise non-public address."""
    url = with_scheme(url)
    host = browser_host(url, field)
    if is_local(host):
        raise ValidationFailed.on_field(
            field, "Links to loopback, private or reserved addresses are not accepted."
        )
    if reaches_this_service(host):
        raise ValidationFailed.on_field(field, "Links to this service itself are not accepted.")
    return url


def is_own_host(host: str) -> bool:
    """True for this request's host and the public URL's host (production always has one, so a
    forged Host header cannot take the public host out of this set)."""
    own = {request.host.rsplit(":", 1)[0].lower().rstrip(".")}
    public = current_app.config.get("PUBLIC_URL")
    if public:
        own.add((urlsplit(public).hostname or "").lower().rstrip("."))
    return host in own


def reaches_this_service(host: str) -> bool:
    """True for our own hosts and every branded domain's host."""
    if is_own_host(host):
        return True
    branded = select(Domain.id).where(or_(Domain.host == host, Domain.host.startswith(host + ":")))
    return db.session.scalar(branded.limit(1)) is not None


def is_local(host: str) -> bool:
    """True for `localhost` names and IP literals that are not public (see is_public_address)."""
    if host == "localhost" or host.endswith(".localhost"):  # browsers send these to loopback
        return True
    address = ip_literal(host)
    return address is not None and not is_public_address(address)


def ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_public_address(address: IPAddress) -> bool:
    """True for a global unicast address. An IPv6 address that carries an IPv4 one (mapped,
    IPv4-compatible, NAT64, 6to4) is as public as the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in LOCAL_NAT64:
            return False
        carried = address.ipv4_mapped or address.sixtofour or _embedded_ipv4(address)
        if carried is not None:
            return is_public_address(carried)
    return address.is_global and not address.is_multicast


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if any(address in network for network in IPV4_IN_LAST_32_BITS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (one DNS lookup); empty when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def public_address(host: str, port: int) -> str | None:
    """The address to connect to for `host`, when it and every other address `host` resolves
    to is public; None otherwise. Connect to this very address: a second lookup could answer
    differently (DNS rebinding)."""
    literal = ip_literal(host)
    addresses = [literal] if literal else resolve(host, port)
    if addresses and all(is_public_address(address) for address in addresses):
        return str(addresses[0])
    return None
