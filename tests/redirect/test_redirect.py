"""`GET /<alias>` (docs/redirect.md): the redirect, its pages (404, expired, splash, frame, overlay,
password form), pixels, branded domains and the alias cache's invalidation."""

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import text

from likepion.core.db import db
from likepion.core.time import utcnow
from likepion.redirect import resolve, routes
from tests.helpers import add_link, add_object
from tests.redirect.conftest import assert_html, clicks_of

DESTINATION = "https://example.com/landing"
OTHER = "https://example.org/elsewhere"


def link_clicks(app, link_id) -> int:
    return len(clicks_of(app, short_url_id=link_id))


def all_clicks(app) -> int:
    return len(clicks_of(app))


# --- direct, missing, expired -----------------------------------------------------------------
def test_direct_link_redirects_and_counts_a_click(app, client, admin, api_key_headers):
    link_id, alias = add_link(client, api_key_headers(admin), DESTINATION)

    response = client.get(f"/{alias}")

    assert response.status_code == 302
    assert response.headers["Location"] == DESTINATION
    [click] = clicks_of(app)
    assert click.short_url_id == link_id and click.qr_code_id is None
    assert click.created_at is not None


def test_unknown_alias_is_a_404_page(app, client, admin, api_key_headers):
    add_link(client, api_key_headers(admin), DESTINATION, custom="known")

    response = client.get("/unknown")

    assert_html(response, 404, "Page not found", "This short link does not exist.")
    assert "Location" not in response.headers
    assert all_clicks(app) == 0


def test_odd_aliases_are_404_pages_not_errors(app, client, admin, api_key_headers):
    add_link(client, api_key_headers(admin), DESTINATION, custom="known")

    for path in ("/KNOWN", "/known%00", "/%E2%98%83", "/" + "a" * 300, "/known;x"):
        assert_html(client.get(path), 404, "This short link does not exist.")
    assert_html(client.post("/unknown", data={"password": "x"}), 404)
    assert all_clicks(app) == 0


def test_expired_link_is_a_410_page(app, client, admin, api_key_headers, monkeypatch):
    expiry = utcnow().replace(microsecond=0) + timedelta(days=1)
    link_id, alias = add_link(
        client, api_key_headers(admin), DESTINATION, expiry=expiry.strftime("%Y-%m-%d %H:%M:%S")
    )
    assert client.get(f"/{alias}").status_code == 302  # still valid today

    monkeypatch.setattr(routes, "utcnow", lambda: expiry + timedelta(seconds=1))
    response = client.get(f"/{alias}")

    page = assert_html(response, 410, "Link expired", "This link has expired.")
    assert DESTINATION not in page
    assert link_clicks(app, link_id) == 1  # only the visit before the expiry


def test_link_expires_at_its_expiry_time(app, client, admin, api_key_headers, monkeypatch):
    expiry = utcnow().replace(microsecond=0) + timedelta(hours=2)
    _, alias = add_link(
        client, api_key_headers(admin), DESTINATION, expiry=expiry.strftime("%Y-%m-%d %H:%M:%S")
    )

    monkeypatch.setattr(routes, "utcnow", lambda: expiry - timedelta(seconds=1))
    assert client.get(f"/{alias}").status_code == 302
    monkeypatch.setattr(routes, "utcnow", lambda: expiry)
    assert client.get(f"/{alias}").status_code == 410


def test_head_redirects_without_counting_a_click(app, client, admin, api_key_headers):
    _, alias = add_link(client, api_key_headers(admin), DESTINATION)

    response = client.head(f"/{alias}")

    assert response.status_code == 302
    assert response.headers["Location"] == DESTINATION
    assert all_clicks(app) == 0


# --- splash, frame, overlay -------------------------------------------------------------------
def test_splash_link_shows_a_countdown_to_the_destination(app, client, admin, api_key_headers):
    link_id, alias = add_link(client, api_key_headers(admin), DESTINATION, type="splash")

    response = client.get(f"/{alias}")

    page = assert_html(response, 200, "You are being redirected", '<span id="countdown"')
    assert f'<a id="continue" class="button" href="{DESTINATION}"' in page
    assert 'aria-live="polite">5</span>' in page
    assert f'content="5;url={DESTINATION}"' in page
    assert "Location" not in response.headers
    assert link_clicks(app, link_id) == 1


def test_custom_splash_shows_its_title_message_and_counter(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    splash = add_object(
        client,
        headers,
        "splash/add",
        name="Spring sale",
        title="Before you go",
        message="Our spring sale ends Friday.",
        link="https://shop.example.com/sale",
        counter=12,
    )
    _, alias = add_link(client, headers, DESTINATION, type=f"splash-{splash}")

    page = assert_html(
        client.get(f"/{alias}"), 200, "Before you go", "Our spring sale ends Friday."
    )

    assert 'aria-live="polite">12</span>' in page
    assert "var left = 12," in page
    assert 'href="https://shop.example.com/sale"' in page
    assert f'<a id="continue" class="button" href="{DESTINATION}"' in page


def test_splash_page_escapes_the_users_text(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    splash = add_object(
        client, headers, "splash/add", name="x", title="<script>alert(1)</script>", message="a<b"
    )
    _, alias = add_link(client, headers, DESTINATION, type=f"splash-{splash}")

    page = assert_html(client.get(f"/{alias}"), 200, "&lt;script&gt;alert(1)&lt;/script&gt;")

    assert "<script>alert(1)" not in page
    assert "a&lt;b" in page


def test_frame_link_shows_the_destination_in_an_iframe(app, client, admin, api_key_headers):
    link_id, alias = add_link(client, api_key_headers(admin), DESTINATION, type="frame")

    page = assert_html(client.get(f"/{alias}"), 200, f'<iframe src="{DESTINATION}"')

    assert f'<a href="{DESTINATION}" rel="nofollow">' in page
    assert 'class="overlay"' not in page
    assert link_clicks(app, link_id) == 1


def test_overlay_link_shows_its_message_and_button_over_the_frame(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    overlay = add_object(
        client,
        headers,
        "overlay/add",
        type="message",
        name="Newsletter",
        message="Get our weekly tips",
        button_text="Subscribe",
        button_url="https://news.example.com/join",
    )
    link_id, alias = add_link(client, headers, DESTINATION, type=f"overlay-{overlay}")

    page = assert_html(client.get(f"/{alias}"), 200, f'<iframe src="{DESTINATION}"')

    assert '<aside class="overlay" role="dialog" aria-label="Newsletter">' in page
    assert "<p>Get our weekly tips</p>" in page
    assert (
        '<a class="button" href="https://news.example.com/join" rel="nofollow">Subscribe</a>'
        in (page)
    )
    assert link_clicks(app, link_id) == 1


# --- password ---------------------------------------------------------------------------------
def test_protected_link_shows_the_form_without_redirecting(app, client, admin, api_key_headers):
    _, alias = add_link(client, api_key_headers(admin), DESTINATION, password="open sesame")

    response = client.get(f"/{alias}")

    page = assert_html(response, 200, "This link is protected", f'action="/{alias}"')
    assert 'name="password" type="password"' in page
    assert "Wrong password" not in page
    assert DESTINATION not in page
    assert "Location" not in response.headers
    assert all_clicks(app) == 0


def test_wrong_password_answers_the_form_again(app, client, admin, api_key_headers):
    _, alias = add_link(client, api_key_headers(admin), DESTINATION, password="open sesame")

    for given in ("nope", "", "OPEN SESAME"):
        response = client.post(f"/{alias}", data={"password": given})
        page = assert_html(response, 403, "This link is protected", "Wrong password. Try again.")
        assert "Location" not in response.headers
        assert DESTINATION not in page
    assert all_clicks(app) == 0


def test_post_without_a_password_field_shows_the_plain_form(app, client, admin, api_key_headers):
    _, alias = add_link(client, api_key_headers(admin), DESTINATION, password="open sesame")

    response = client.post(f"/{alias}", data={"other": "x"})

    assert_html(response, 200, "This link is protected")
    assert "Wrong password" not in response.get_data(as_text=True)
    assert all_clicks(app) == 0


def test_right_password_redirects_and_counts_a_click(app, client, admin, api_key_headers):
    link_id, alias = add_link(client, api_key_headers(admin), DESTINATION, password="open sesame")

    response = client.post(f"/{alias}", data={"password": "open sesame"})

    assert response.status_code == 302
    assert response.headers["Location"] == DESTINATION
    assert link_clicks(app, link_id) == 1


def test_right_password_shows_the_types_page(app, client, admin, api_key_headers):
    _, alias = add_link(
        client, api_key_headers(admin), DESTINATION, password="open sesame", type="frame"
    )

    response = client.post(f"/{alias}", data={"password": "open sesame"})

    assert_html(response, 200, f'<iframe src="{DESTINATION}"')


def test_password_is_not_kept_in_plain_text(app, client, admin, api_key_headers):
    link_id, _ = add_link(client, api_key_headers(admin), DESTINATION, password="open sesame")

    with app.app_context():
        stored = db.session.execute(
            text("SELECT password_hash FROM short_urls WHERE id = :id"), {"id": link_id}
        ).scalar()
    assert stored and "open sesame" not in stored


# --- pixels -----------------------------------------------------------------------------------
def add_pixel(client, headers, kind, tag) -> int:
    return add_object(client, headers, "pixel/add", type=kind, name=kind, tag=tag)


def test_pixels_appear_on_the_pages_a_link_shows(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    gtm = add_pixel(client, headers, "gtmpixel", "GTM-ABC123")
    facebook = add_pixel(client, headers, "fbpixel", "1234567890")
    _, splash = add_link(client, headers, DESTINATION, type="splash", pixels=[gtm, facebook])
    _, protected = add_link(client, headers, DESTINATION, password="pw-123456", pixels=[gtm])

    assert_html(
        client.get(f"/{splash}"),
        200,
        '<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-ABC123"></script>',
        'src="https://www.facebook.com/tr?id=1234567890&amp;ev=PageView"',
    )
    assert_html(client.get(f"/{protected}"), 200, "gtm.js?id=GTM-ABC123")


def test_pixels_of_other_links_do_not_appear(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    gtm = add_pixel(client, headers, "gtmpixel", "GTM-ABC123")
    add_link(client, headers, DESTINATION, type="frame", pixels=[gtm])
    _, plain = add_link(client, headers, DESTINATION, type="frame")

    page = assert_html(client.get(f"/{plain}"), 200, "<iframe")

    assert "GTM-ABC123" not in page


def test_pixels_do_not_break_a_direct_redirect(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    gtm = add_pixel(client, headers, "gtmpixel", "GTM-ABC123")
    link_id, alias = add_link(client, headers, DESTINATION, pixels=[gtm])

    response = client.get(f"/{alias}")

    assert response.status_code == 302
    assert response.headers["Location"] == DESTINATION
    assert link_clicks(app, link_id) == 1


# --- branded domains --------------------------------------------------------------------------
BRANDED = "http://go.example.org"


def branded_setup(client, headers, **fields) -> int:
    """The branded domain BRANDED with a root and a 404 redirect (unless `fields` say else)."""
    redirects = {
        "redirectroot": "https://brand.example.com/",
        "redirect404": "https://brand.example.com/404",
    }
    return add_object(client, headers, "domain/add", domain=BRANDED, **(redirects | fields))


def test_branded_domain_resolves_its_own_links(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    branded_setup(client, headers)
    on_domain, _ = add_link(client, headers, DESTINATION, custom="promo", domain=BRANDED)
    on_main, _ = add_link(client, headers, OTHER, custom="promo")

    branded = client.get("/promo", base_url=BRANDED)
    main = client.get("/promo")

    assert (branded.status_code, branded.headers["Location"]) == (302, DESTINATION)
    assert (main.status_code, main.headers["Location"]) == (302, OTHER)
    assert (link_clicks(app, on_domain), link_clicks(app, on_main)) == (1, 1)


def test_branded_domain_host_is_matched_without_case(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    branded_setup(client, headers)
    add_link(client, headers, DESTINATION, custom="promo", domain=BRANDED)

    response = client.get("/promo", base_url="http://GO.Example.ORG")

    assert (response.status_code, response.headers["Location"]) == (302, DESTINATION)


def test_branded_domain_root_goes_to_redirectroot(app, client, power_user, api_key_headers):
    branded_setup(client, api_key_headers(power_user))

    response = client.get("/", base_url=BRANDED)

    assert response.status_code == 302
    assert response.headers["Location"] == "https://brand.example.com/"
    assert_html(client.get("/"), 404, "Nothing here.")  # the service's own root


def test_unknown_alias_on_branded_domain_goes_to_redirect404(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    branded_setup(client, headers)
    add_link(client, headers, OTHER, custom="mainonly")

    for alias in ("nothing", "mainonly"):  # a main-host alias is not a link of the domain
        response = client.get(f"/{alias}", base_url=BRANDED)
        assert response.status_code == 302
        assert response.headers["Location"] == "https://brand.example.com/404"
    assert all_clicks(app) == 0


def test_branded_domain_without_redirects_answers_404_pages(
    app, client, power_user, api_key_headers
):
    branded_setup(client, api_key_headers(power_user), redirectroot=None, redirect404=None)

    assert_html(client.get("/", base_url=BRANDED), 404, "Nothing here.")
    assert_html(client.get("/nothing", base_url=BRANDED), 404, "This short link does not exist.")


def test_a_branded_link_is_unknown_on_the_main_host(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    branded_setup(client, headers)
    add_link(client, headers, DESTINATION, custom="promo", domain=BRANDED)

    on_main = client.get("/promo")
    missing = client.get("/never-made")

    assert on_main.status_code == missing.status_code == 404
    assert on_main.get_data() == missing.get_data()
    assert all_clicks(app) == 0


# --- alias cache ------------------------------------------------------------------------------
def test_update_shows_at_the_next_visit(app, client, admin, api_key_headers):
    headers = api_key_headers(admin)
    link_id, alias = add_link(client, headers, DESTINATION)
    assert client.get(f"/{alias}").headers["Location"] == DESTINATION  # now cached

    response = client.put(f"/api/url/{link_id}/update", json={"url": OTHER}, headers=headers)
    assert response.status_code == 200

    assert client.get(f"/{alias}").headers["Location"] == OTHER


def test_new_alias_after_update_resolves_and_old_one_is_gone(
    app, client, power_user, api_key_headers
):
    headers = api_key_headers(power_user)
    link_id, _ = add_link(client, headers, DESTINATION, custom="before")
    assert client.get("/before").status_code == 302

    client.put(f"/api/url/{link_id}/update", json={"custom": "after"}, headers=headers)

    assert client.get("/after").headers["Location"] == DESTINATION
    assert_html(client.get("/before"), 404)


def test_delete_shows_at_the_next_visit(app, client, admin, api_key_headers):
    headers = api_key_headers(admin)
    link_id, alias = add_link(client, headers, DESTINATION)
    assert client.get(f"/{alias}").status_code == 302

    assert client.delete(f"/api/url/{link_id}/delete", headers=headers).status_code == 200

    assert_html(client.get(f"/{alias}"), 404, "This short link does not exist.")


def test_a_link_made_after_a_miss_resolves(app, client, power_user, api_key_headers):
    assert_html(client.get("/later"), 404)  # the miss is cached

    add_link(client, api_key_headers(power_user), DESTINATION, custom="later")

    assert client.get("/later").headers["Location"] == DESTINATION


def test_domain_update_shows_at_the_next_visit(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    domain = branded_setup(client, headers)
    assert client.get("/", base_url=BRANDED).headers["Location"] == "https://brand.example.com/"

    client.put(
        f"/api/domain/{domain}/update",
        json={"redirectroot": "https://new.example.com/"},
        headers=headers,
    )

    assert client.get("/", base_url=BRANDED).headers["Location"] == "https://new.example.com/"


def test_another_process_edit_shows_after_the_check_interval(
    app, client, admin, api_key_headers, monkeypatch
):
    """Another worker changes the row and moves the version; this process keeps its cached
    answer until ALIAS_CACHE_CHECK_SECONDS have passed, then reads the new one."""
    link_id, alias = add_link(client, api_key_headers(admin), DESTINATION)
    clock = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(resolve, "time", SimpleNamespace(monotonic=lambda: clock.now))
    interval = app.config["ALIAS_CACHE_CHECK_SECONDS"]
    assert client.get(f"/{alias}").headers["Location"] == DESTINATION  # cached at `now`

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            text("UPDATE short_urls SET url = :url WHERE id = :id"), {"url": OTHER, "id": link_id}
        )
        conn.execute(text("UPDATE alias_cache_version SET version = version + 1 WHERE id = 1"))

    clock.now += interval * 0.75
    assert client.get(f"/{alias}").headers["Location"] == DESTINATION
    clock.now += interval * 0.25
    assert client.get(f"/{alias}").headers["Location"] == OTHER


def test_another_process_delete_shows_after_the_check_interval(
    app, client, admin, api_key_headers, monkeypatch
):
    link_id, alias = add_link(client, api_key_headers(admin), DESTINATION)
    clock = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(resolve, "time", SimpleNamespace(monotonic=lambda: clock.now))
    assert client.get(f"/{alias}").status_code == 302

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM short_urls WHERE id = :id"), {"id": link_id})
        conn.execute(text("UPDATE alias_cache_version SET version = version + 1 WHERE id = 1"))

    clock.now += app.config["ALIAS_CACHE_CHECK_SECONDS"]
    assert_html(client.get(f"/{alias}"), 404)


def test_an_edit_without_a_version_bump_is_not_seen(
    app, client, admin, api_key_headers, monkeypatch
):
    """The version row is what tells processes apart from stale: without it, the cache holds."""
    link_id, alias = add_link(client, api_key_headers(admin), DESTINATION)
    clock = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(resolve, "time", SimpleNamespace(monotonic=lambda: clock.now))
    assert client.get(f"/{alias}").headers["Location"] == DESTINATION

    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            text("UPDATE short_urls SET url = :url WHERE id = :id"), {"url": OTHER, "id": link_id}
        )

    clock.now += app.config["ALIAS_CACHE_CHECK_SECONDS"] * 5
    assert client.get(f"/{alias}").headers["Location"] == DESTINATION
