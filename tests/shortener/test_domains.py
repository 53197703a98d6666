"""Branded domains (seed 004): list, add, update, delete; the plan's domain count."""

from likepion.core.db import db
from likepion.shortener.models import Domain, ShortUrl
from tests.helpers import assert_bad_paging_refused, assert_each_refused, check_pages, count_rows

DOMAIN_KEYS = {"id", "domain", "redirectroot", "redirect404"}


def add_domain(client, headers, domain="https://domain1.com", **body):
    response = client.post("/api/domain/add", json={"domain": domain, **body}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


def domain_row(app, domain_id):
    with app.app_context():
        row = db.session.get(Domain, domain_id)
        if row is None:
            return None
        return (row.user_id, row.scheme, row.host, row.redirect_root, row.redirect_404)


# --- add --------------------------------------------------------------------------------------
def test_add_domain_answers_the_seed_shape(app, client, business_user, api_key_headers):
    response = client.post(
        "/api/domain/add",
        json={
            "domain": "https://domain1.com",
            "redirectroot": "https://rootdomain.com",
            "redirect404": "https://rootdomain.com/404",
        },
        headers=api_key_headers(business_user),
    )

    assert response.status_code == 200
    assert set(response.json) == {"error", "id"}
    assert response.json["error"] == 0
    assert domain_row(app, response.json["id"]) == (
        business_user.id,
        "https",
        "domain1.com",
        "https://rootdomain.com",
        "https://rootdomain.com/404",
    )


def test_add_domain_keeps_scheme_and_port_and_lowers_the_host(
    app, client, business_user, api_key_headers
):
    domain = add_domain(client, api_key_headers(business_user), "HTTP://Links.Example.COM:8080/")

    assert domain_row(app, domain) == (
        business_user.id,
        "http",
        "links.example.com:8080",
        None,
        None,
    )


def test_add_domain_stores_the_host_as_browsers_send_it(app, client, power_user, api_key_headers):
    headers = api_key_headers(power_user)
    default_port = add_domain(client, headers, "https://links.example.com:443")
    unicode_name = add_domain(client, headers, "https://bücher.example")

    assert domain_row(app, default_port)[2] == "links.example.com"
    assert domain_row(app, unicode_name)[2] == "xn--bcher-kva.example"


def test_the_free_plan_has_no_domains(app, client, user, api_key_headers):
    response = client.post(
        "/api/domain/add", json={"domain": "https://domain1.com"}, headers=api_key_headers(user)
    )

    assert response.status_code == 403
    assert response.json == {
        "error": 1,
        "message": "Branded domains are not available on your plan.",
    }
    assert count_rows(app, Domain) == 0


def test_business_plan_allows_one_domain(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    add_domain(client, headers)

    response = client.post("/api/domain/add", json={"domain": "https://two.com"}, headers=headers)

    assert response.status_code == 403
    assert response.json["error"] == 1
    assert "allows 1" in response.json["message"]
    assert count_rows(app, Domain) == 1


def test_add_domain_bad_input_writes_nothing(app, client, power_user, api_key_headers):
    cases = [
        ({}, "domain"),
        ({"domain": ""}, "domain"),
        ({"domain": "domain1.com"}, "http and https"),
        ({"domain": "ftp://domain1.com"}, "http and https"),
        ({"domain": "javascript:alert(1)"}, "http and https"),
        ({"domain": "https://domain1.com/path"}, "scheme and host"),
        ({"domain": "https://domain1.com?x=1"}, "scheme and host"),
        ({"domain": "https://user@domain1.com"}, "scheme and host"),
        ({"domain": "https://" + "a" * 250 + ".com"}, "domain name"),
        ({"domain": "https://ex_ample.com"}, "domain name"),
        ({"domain": "https://domain1..com"}, "domain name"),
        ({"domain": "https://-domain1.com"}, "domain name"),
        ({"domain": "https://intranet"}, "domain name"),
        ({"domain": "https://10.0.0.1"}, "domain name"),
        ({"domain": "https://[::1]"}, "domain name"),
        ({"domain": "https://domain1.com:0"}, "domain name"),
        ({"domain": "https://localhost"}, "own host"),
        ({"domain": "http://LOCALHOST:5000"}, "own host"),
        ({"domain": "https://domain1.com", "redirectroot": "javascript:alert(1)"}, "redirectroot"),
        ({"domain": "https://domain1.com", "redirect404": "nowhere"}, "redirect404"),
    ]
    for body, words in cases:
        response = client.post("/api/domain/add", json=body, headers=api_key_headers(power_user))
        assert response.status_code == 400, body
        assert response.json["error"] == 1
        assert words in response.json["message"], (body, response.json)
    assert count_rows(app, Domain) == 0


def test_a_host_is_registered_once_across_users(
    app, client, business_user, power_user, api_key_headers
):
    add_domain(client, api_key_headers(business_user), "https://domain1.com")

    spellings = (
        "https://domain1.com",
        "http://DOMAIN1.com",
        "https://domain1.com:443",
        "https://domain1.com:",
    )
    for domain in spellings:
        response = client.post(
            "/api/domain/add", json={"domain": domain}, headers=api_key_headers(power_user)
        )
        assert response.status_code == 409, domain
        assert response.json["error"] == 1
        assert response.json["message"]
    assert count_rows(app, Domain) == 1


# --- list -------------------------------------------------------------------------------------
def test_list_domains_pages_in_the_seed_envelope(
    client, power_user, business_user, api_key_headers
):
    headers = api_key_headers(power_user)
    first = add_domain(client, headers, "https://domain1.com")
    second = add_domain(
        client,
        headers,
        "https://domain2.com",
        redirectroot="https://rootdomain2.com",
        redirect404="https://rootdomain2.com/404",
    )
    third = add_domain(client, headers, "http://domain3.com")
    add_domain(client, api_key_headers(business_user), "https://not-mine.com")

    items = check_pages(client, headers, "/api/domains", "domains", [third, second, first])
    assert all(set(item) == DOMAIN_KEYS for item in items)
    assert items == [
        {"id": third, "domain": "http://domain3.com", "redirectroot": None, "redirect404": None},
        {
            "id": second,
            "domain": "https://domain2.com",
            "redirectroot": "https://rootdomain2.com",
            "redirect404": "https://rootdomain2.com/404",
        },
    ]


def test_list_domains_refuses_bad_paging(client, business_user, api_key_headers):
    assert_bad_paging_refused(client, api_key_headers(business_user), "/api/domains")


# --- update -----------------------------------------------------------------------------------
def test_update_domain_redirects(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    domain = add_domain(client, headers, redirectroot="https://rootdomain.com")

    response = client.put(
        f"/api/domain/{domain}/update",
        json={
            "redirectroot": "https://rootdomain-new.com",
            "redirect404": "https://rootdomain-new.com/404",
        },
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Domain has been updated successfully."}
    assert domain_row(app, domain) == (
        business_user.id,
        "https",
        "domain1.com",
        "https://rootdomain-new.com",
        "https://rootdomain-new.com/404",
    )


def test_update_domain_changes_only_the_fields_sent(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    domain = add_domain(
        client, headers, redirectroot="https://root.com", redirect404="https://root.com/404"
    )

    cleared = client.put(
        f"/api/domain/{domain}/update", json={"redirect404": None}, headers=headers
    )

    assert cleared.status_code == 200
    assert domain_row(app, domain) == (
        business_user.id,
        "https",
        "domain1.com",
        "https://root.com",
        None,
    )


def test_update_domain_bad_input_changes_nothing(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    domain = add_domain(client, headers, redirectroot="https://root.com")
    cases = [
        ({"redirectroot": "ftp://root.com"}, "redirectroot"),
        ({"redirect404": "/relative"}, "redirect404"),
    ]
    assert_each_refused(client, "PUT", f"/api/domain/{domain}/update", headers, cases)
    missing = client.put(
        f"/api/domain/{domain + 1}/update", json={"redirectroot": None}, headers=headers
    )
    assert missing.status_code == 404
    assert missing.json == {"error": 1, "message": "Domain not found"}
    assert domain_row(app, domain) == (
        business_user.id,
        "https",
        "domain1.com",
        "https://root.com",
        None,
    )


# --- delete -----------------------------------------------------------------------------------
def test_delete_domain(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    domain = add_domain(client, headers)

    response = client.delete(f"/api/domain/{domain}/delete", headers=headers)

    assert response.status_code == 200
    assert response.json == {"error": 0, "message": "Domain has been deleted successfully."}
    assert count_rows(app, Domain) == 0


def test_a_domain_in_use_cannot_be_deleted(app, client, business_user, api_key_headers):
    headers = api_key_headers(business_user)
    domain = add_domain(client, headers)
    link = client.post(
        "/api/url/add",
        json={"url": "https://example.com", "domain": "https://domain1.com"},
        headers=headers,
    )
    assert link.json["shorturl"].startswith("https://domain1.com/")

    refused = client.delete(f"/api/domain/{domain}/delete", headers=headers)

    assert refused.status_code == 409
    assert refused.json == {
        "error": 1,
        "message": "1 link(s) use this domain; move or delete them first.",
    }
    assert count_rows(app, Domain) == 1
    with app.app_context():
        assert db.session.get(ShortUrl, link.json["id"]).domain_id == domain
    client.delete(f"/api/url/{link.json['id']}/delete", headers=headers)
    assert client.delete(f"/api/domain/{domain}/delete", headers=headers).status_code == 200
    assert count_rows(app, Domain) == 0


def test_delete_missing_domain_is_404_and_deletes_nothing(
    app, client, business_user, api_key_headers
):
    headers = api_key_headers(business_user)
    domain = add_domain(client, headers)

    for path in (f"/api/domain/{domain + 1}/delete", "/api/domain/-1/delete"):
        response = client.delete(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json["error"] == 1
    assert count_rows(app, Domain) == 1
