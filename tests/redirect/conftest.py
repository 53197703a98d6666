"""Public web routes: the shortener's fixtures (autouse `plans`, `power_user`, `business_user`)
and helpers that make links through the API and read the clicks behind them."""

from sqlalchemy import select

from likepion.core.db import db
from likepion.shortener.models import Click
from tests.shortener.conftest import business_user, plans, power_user, put_on_plan

__all__ = ["business_user", "plans", "power_user", "put_on_plan"]

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
WINDOWS_FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FACEBOOK_PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"


def clicks_of(app, **where) -> list[Click]:
    """The stored clicks with these column values (e.g. short_url_id=3), oldest first."""
    with app.app_context():
        stmt = select(Click).filter_by(**where).order_by(Click.id)
        rows = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return rows


def assert_html(response, status: int, *texts: str) -> str:
    """The response is an HTML page with this status that shows each of `texts`."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for text in texts:
        assert text in page, text
    return page
