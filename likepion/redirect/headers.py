"""Security headers of every HTML page the service serves: link pages (password form, splash,
frame, overlay, campaign lists), error pages and the API docs.

Inline `<script>` and `<style>` blocks are allowed by their SHA-256 hashes, computed from the
page itself, so a template change needs no policy change. Pixel tags load their vendors'
scripts: those origins are listed; their images may come from any https host.
"""

import base64
import hashlib
import re

from flask import Flask, Response, request

from likepion.redirect.pages import PIXEL_TAGS

INLINE_BLOCK = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)
PIXEL_SCRIPT_ORIGINS = sorted(
    set(re.findall(r'<script[^>]*src="(https://[^/"]+)', "".join(PIXEL_TAGS.values())))
    | {"https://www.google-analytics.com"}  # what the Google tag loads in turn
)
PAGE_POLICY = (
    "default-src 'none'; script-src {scripts}; style-src {styles}; img-src https: data:; "
    "connect-src https:; frame-src http: https:; form-action 'self' http: https:; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# Swagger UI: its own files, the spec it fetches, and the style attributes its widgets set.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def inline_hashes(html: str) -> dict[str, list[str]]:
    """`'sha256-…'` sources of the page's inline scripts and style blocks, by tag."""
    found: dict[str, list[str]] = {"script": [], "style": []}
    for tag, attributes, body in INLINE_BLOCK.findall(html):
        if tag.lower() == "script" and "src=" in attributes:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        found[tag.lower()].append(f"'sha256-{digest}'")
    return found


def content_security_policy(html: str, *, docs: bool) -> str:
    hashes = inline_hashes(html)
    if docs:
        return DOCS_POLICY.format(scripts=" ".join(hashes["script"]))
    scripts = " ".join(hashes["script"] + PIXEL_SCRIPT_ORIGINS)
    return PAGE_POLICY.format(scripts=scripts, styles=" ".join(hashes["style"]) or "'none'")


def secure_html(response: Response) -> Response:
    """after_request: the headers on every HTML page (redirects and API answers untouched)."""
    if 300 <= response.status_code < 400 or response.mimetype != "text/html":
        return response
    response.headers.update(STATIC_HEADERS)
    if not (response.direct_passthrough or response.is_streamed):
        html = response.get_data(as_text=True)
        docs = request.path.startswith("/docs")
        response.headers["Content-Security-Policy"] = content_security_policy(html, docs=docs)
    return response


def init_page_headers(app: Flask) -> None:
    app.after_request(secure_html)
