"""Per-IP limits on the public routes (issue 11 item 7): link password tries per IP and link,
QR renders per IP; a 304 revalidation is not counted. The client IP is the one ProxyFix gives
(tests/core/test_proxies.py)."""

from config import Config
from tests.conftest import build_app
from tests.factories import make_user
from tests.helpers import add_link
from tests.redirect.conftest import WINDOWS_CHROME, clicks_of
from tests.redirect.test_qr_image import add_qr

PASSWORD = "open sesame"


def public_app(**config):
    """An app of its own (the suite's lifts these limits) and an admin's shortener headers."""
    app = build_app("sqlite://", **config)
    admin = make_user(app, is_admin=True)
    return app, app.test_client(), {"Authorization": f"Bearer {admin.api_key}"}


def guess(client, alias, password="wrong", ip="198.51.100.7"):
    return client.post(f"/{alias}", data={"password": password}, environ_base={"REMOTE_ADDR": ip})


def test_defaults_are_ten_password_tries_and_sixty_qr_renders_per_minute():
    assert Config.PASSWORD_RATE_LIMIT == "10 per minute"
    assert Config.QR_RATE_LIMIT == "60 per minute"


def test_eleventh_password_guess_in_a_minute_is_refused_per_ip_and_link():
    app, client, headers = public_app()
    link_id, alias = add_link(client, headers, "https://example.com/secret", password=PASSWORD)
    _, other_alias = add_link(client, headers, "https://example.com/other", password=PASSWORD)

    statuses = [guess(client, alias).status_code for _ in range(10)]
    blocked = guess(client, alias)
    right_but_blocked = guess(client, alias, PASSWORD)

    assert statuses == [403] * 10
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Rate limit exceeded" in blocked.get_data(as_text=True)
    assert right_but_blocked.status_code == 429
    assert clicks_of(app, short_url_id=link_id) == []
    assert guess(client, alias, PASSWORD, ip="198.51.100.8").status_code == 302
    assert guess(client, other_alias).status_code == 403  # another link: its own count
    assert len(clicks_of(app, short_url_id=link_id)) == 1


def test_password_limit_is_configurable_and_a_plain_visit_is_not_counted():
    app, client, headers = public_app(PASSWORD_RATE_LIMIT="2 per minute")
    _, alias = add_link(client, headers, "https://example.com/secret", password=PASSWORD)

    forms = [client.get(f"/{alias}").status_code for _ in range(5)]
    statuses = [guess(client, alias).status_code for _ in range(3)]

    assert forms == [200] * 5
    assert statuses == [403, 403, 429]


def qr_fetch(client, alias, ip="198.51.100.7", **headers):
    return client.get(
        f"/qr/{alias}",
        headers={"User-Agent": WINDOWS_CHROME, **headers},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_qr_renders_are_limited_per_ip_but_revalidations_are_free():
    app, client, headers = public_app(QR_RATE_LIMIT="3 per minute")
    _, alias = add_qr(client, headers)

    renders = [qr_fetch(client, alias) for _ in range(3)]
    etag = renders[0].headers["ETag"]
    revalidations = [qr_fetch(client, alias, **{"If-None-Match": etag}) for _ in range(5)]
    blocked = qr_fetch(client, alias)

    assert [r.status_code for r in renders] == [200] * 3
    assert [r.status_code for r in revalidations] == [304] * 5
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert qr_fetch(client, alias, ip="198.51.100.8").status_code == 200


def test_limits_off_means_no_public_limits_either():
    app, client, headers = public_app(QR_RATE_LIMIT="1 per minute", RATELIMIT_ENABLED=False)
    _, alias = add_qr(client, headers)
    assert [qr_fetch(client, alias).status_code for _ in range(3)] == [200] * 3


def test_without_redis_public_limits_are_counted_in_the_process(caplog):
    app, client, headers = public_app(
        QR_RATE_LIMIT="2 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0"
    )
    _, alias = add_qr(client, headers)
    assert [qr_fetch(client, alias).status_code for _ in range(3)] == [200, 200, 429]
    said = ("counted in this process", "falling back to in-memory")
    assert any(text in r.getMessage() for r in caplog.records for text in said)
    assert app.server_errors == []
