"""Public web routes: `/<alias>`, `/<alias>/qr`, `/qr/<alias>`, `/r/<slug>`,
`/u/<username>/<slug>-<id>`."""

import hashlib
import re

from flask import Blueprint, Response, redirect, request

from likepion.auth import passwords
from likepion.core import metrics
from likepion.core.errors import Gone, NotFound
from likepion.core.ratelimit import hit_public_limit
from likepion.core.time import utcnow
from likepion.redirect import pages, resolve, tracking
from likepion.shortener import public, qrcodes

bp = Blueprint("redirect", __name__, template_folder="templates")
NOT_FOUND = "This short link does not exist."
# Every alias, QR alias, rotator slug and username is made of these; anything else (a NUL byte,
# which PostgreSQL refuses in text, or a huge segment) is not looked up at all.
PLAIN = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@bp.route("/<alias>", methods=["GET", "POST"])
def follow(alias):
    """1 domain by Host, 2 link by alias, 3 expiry, 4 password, 5 target, 6 respond, 7 track."""
    host = request.host.lower()
    if len(host) > resolve.MAX_HOST_LENGTH:  # nobody's domain: no lookup, nothing cached
        raise NotFound(NOT_FOUND)
    cache = resolve.cache()
    branded = cache.domain(host)
    target = cache.target(branded.id if branded else 0, alias) if PLAIN.fullmatch(alias) else None
    if target is None:
        if branded and branded.redirect_404:
            return redirect(branded.redirect_404)
        raise NotFound(NOT_FOUND)
    if target.expiry and target.expiry <= utcnow():
        raise Gone("This link has expired.")
    if target.password_hash:
        given = request.form.get("password") if request.method == "POST" else None
        if given is not None:
            hit_public_limit("PASSWORD_RATE_LIMIT", target.id)
        if given is None or not passwords.verify_password(target.password_hash, given):
            pixels = resolve.pixels(target.id)
            return pages.password_form(request.path, wrong=given is not None, pixels=pixels)
    visit = tracking.visit_of_request()
    url = resolve.destination(target, visit)
    tracking.record_click(visit, short_url_id=target.id)
    metrics.REDIRECTS.inc()
    if target.type == "direct":
        return redirect(url)
    return pages.link_page(
        target, url, pixels=resolve.pixels(target.id), decoration=resolve.decoration(target)
    )


@bp.get("/<alias>+")
def public_stats(alias):
    """A link's aggregate stats (Bitly's `+`), only when its owner made them public."""
    branded = resolve.cache().domain(request.host.lower())
    found = (
        public.public_stats(branded.id if branded else 0, alias) if PLAIN.fullmatch(alias) else None
    )
    if found is None:
        raise NotFound(NOT_FOUND)
    return pages.stats_page(found)


@bp.get("/")
def root():
    """A branded domain's root goes to its `redirectroot`."""
    branded = resolve.cache().domain(request.host.lower())
    if branded and branded.redirect_root:
        return redirect(branded.redirect_root)
    raise NotFound("Nothing here.")


@bp.get("/qr/<alias>")
def qr_image(alias):
    """The QR image (PNG, or SVG with ?format=svg); each fetch by a person counts as a scan."""
    qr = public.qr_by_alias(alias) if PLAIN.fullmatch(alias) else None
    kind = request.args.get("format", "png")
    if qr is None or kind not in ("png", "svg"):
        raise NotFound("This QR code does not exist.")
    tracking.record_click(tracking.visit_of_request(), qr_code_id=qr.id)
    etag = hashlib.sha256(f"{qr.id}:{qr.updated_at.isoformat()}:{kind}".encode()).hexdigest()[:32]
    return _qr_response(etag, kind, lambda: qrcodes.render(qr, kind))


@bp.get("/<alias>/qr")
def link_qr(alias):
    """A short link's QR code, encoding its short URL: PNG, or SVG with ?format=svg, at most
    ?size= pixels wide. Not a scan: the scan is the visit to the short URL."""
    kind, size = qrcodes.image_options(request.args)
    if not PLAIN.fullmatch(alias):
        raise NotFound(NOT_FOUND)
    branded = resolve.cache().domain(request.host.lower())  # None for an overlong Host
    target = resolve.cache().target(branded.id if branded else 0, alias)
    url = public.short_url_of(target.id) if target else None
    if url is None:
        raise NotFound(NOT_FOUND)
    if target.expiry and target.expiry <= utcnow():
        raise Gone("This link has expired.")
    etag = hashlib.sha256(f"{url}:{kind}:{size}".encode()).hexdigest()[:32]
    return _qr_response(etag, kind, lambda: qrcodes.render_text(url, kind, size))


def _qr_response(etag: str, kind: str, render) -> Response:
    """304 for a current ETag (not counted); else one render under the per-IP QR limit."""
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    hit_public_limit("QR_RATE_LIMIT")
    response = Response(render(), mimetype="image/svg+xml" if kind == "svg" else "image/png")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"  # revalidate, so each view reaches us
    return response


@bp.get("/r/<slug>")
def rotator(slug):
    """The next link of the campaign in turn; the click counts on that link."""
    chosen = public.rotate(slug) if PLAIN.fullmatch(slug) else None
    if chosen is None:
        raise NotFound("This rotator does not exist or has no links.")
    link_id, url = chosen
    tracking.record_click(tracking.visit_of_request(), short_url_id=link_id)
    metrics.REDIRECTS.inc()
    return redirect(url)


@bp.get("/u/<username>/<name>")
def campaign_list(username, name):
    found = public.public_campaign(username, name) if PLAIN.fullmatch(username) else None
    if found is None:
        raise NotFound("This list does not exist or is private.")
    return pages.campaign_page(*found)
