"""The web family: HTML pages for visitors (errors, password form, splash, frame, overlay,
campaign lists), with a link's tracking pixels on the pages that show HTML. Rendering only:
what a page shows is read by redirect/resolve.py."""

from flask import render_template
from markupsafe import Markup

TITLES = {
    404: "Page not found",
    405: "Method not allowed",
    410: "Link expired",
    429: "Too many requests",
    500: "Something went wrong",
}
DEFAULT_SPLASH_SECONDS = 5
# Each pixel type's standard tag; `tag` is escaped by Markup.format (and limited to
# letters, digits and `_.:-` by the API).
PIXEL_TAGS = {
    "gtmpixel": '<script async src="https://www.googletagmanager.com/gtm.js?id={tag}"></script>',
    "gapixel": '<script async src="https://www.googletagmanager.com/gtag/js?id={tag}"></script>',
    "adwordspixel": (
        '<script async src="https://www.googletagmanager.com/gtag/js?id={tag}"></script>'
    ),
    "fbpixel": '<img hidden alt="" src="https://www.facebook.com/tr?id={tag}&amp;ev=PageView">',
    "linkedinpixel": '<img hidden alt="" src="https://px.ads.linkedin.com/collect/?pid={tag}">',
    "twitterpixel": '<img hidden alt="" src="https://analytics.twitter.com/i/adsct?p_id={tag}">',
    "adrollpixel": '<script async src="https://s.adroll.com/j/{tag}/roundtrip.js"></script>',
    "quorapixel": '<img hidden alt="" src="https://q.quora.com/_/ad/{tag}/pixel">',
    "pinterest": '<img hidden alt="" src="https://ct.pinterest.com/v3/?tid={tag}&amp;noscript=1">',
    "bing": '<img hidden alt="" src="https://bat.bing.com/action/0?ti={tag}&amp;Ver=2">',
    "snapchat": '<img hidden alt="" src="https://tr.snapchat.com/p?pid={tag}">',
    "reddit": '<img hidden alt="" src="https://alb.reddit.com/rp.gif?id={tag}">',
    "tiktok": '<script async src="https://analytics.tiktok.com/i18n/pixel/sdk.js?sdkid={tag}">'
    "</script>",
}


def error_response(status: int, code: str, message: str, details: dict, headers=None):
    html = render_template("error.html", title=TITLES.get(status, "Error"), message=message)
    return html, status, list(headers or [])


def password_form(action: str, *, wrong: bool, pixels: list[tuple[str, str]]):
    html = render_template(
        "redirect/password.html", action=action, wrong=wrong, pixels=_pixel_tags(pixels)
    )
    return html, 403 if wrong else 200


def link_page(target, url: str, *, pixels: list[tuple[str, str]], decoration=None):
    """The page a non-direct link shows: splash (countdown), frame, or frame with an overlay
    (`decoration`: the link's splash or overlay row, if it has one)."""
    tags = _pixel_tags(pixels)
    if target.type == "splash":
        splash = decoration
        return render_template(
            "redirect/splash.html",
            url=url,
            title=splash.title or splash.name if splash else "You are being redirected",
            message=splash.message if splash else None,
            product=splash.link if splash else None,
            seconds=splash.counter if splash else DEFAULT_SPLASH_SECONDS,
            pixels=tags,
        )
    return render_template("redirect/frame.html", url=url, overlay=decoration, pixels=tags)


def stats_page(found: dict):
    """`/<alias>+`: the numbers and an inline SVG bar chart, no script and no outside asset."""
    return render_template("redirect/stats.html", chart=_chart(found["series"]), **found)


CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 720, 220, 20


def _chart(series: list[dict]) -> dict:
    """Bars (x, y, width, height) for the clicks of each point, scaled to the busiest one."""
    peak = max([point["clicks"] for point in series] + [1])
    slot = CHART_WIDTH / len(series)
    bars = []
    for index, point in enumerate(series):
        height = round((CHART_HEIGHT - CHART_TOP) * point["clicks"] / peak, 1)
        bars.append(
            {
                "x": round(index * slot + slot * 0.15, 1),
                "y": CHART_HEIGHT - height,
                "width": round(slot * 0.7, 1),
                "height": height,
                **point,
            }
        )
    labelled = [bars[0], bars[len(bars) // 2], bars[-1]]
    size = {"width": CHART_WIDTH, "height": CHART_HEIGHT, "top": CHART_TOP}
    return {"bars": bars, "labelled": labelled, "peak": peak, **size}


def campaign_page(campaign, links: list[dict]):
    return render_template("redirect/campaign.html", campaign=campaign, links=links)


def _pixel_tags(pixels: list[tuple[str, str]]) -> list[Markup]:
    return [Markup(PIXEL_TAGS[kind]).format(tag=tag) for kind, tag in pixels if kind in PIXEL_TAGS]
