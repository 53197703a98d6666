"""A failing statement never writes its parameters, hence no secret, to the log (issue 11,
item 10)."""

import logging

import pytest

from likepion.core import crypto
from likepion.core.logs import JsonFormatter
from tests.factories import make_group, make_site

SECRETS = {
    "password": "plain-Password-4242",
    "app_password": "plain-AppPassword-4242",
    "twofa": "PLAIN2FASECRET4242",
    "pass_mail": "plain-MailPassword-4242",
}


@pytest.mark.allow_500
def test_a_statement_failing_while_binding_an_account_logs_no_secret(
    app, client, user, jwt_headers, caplog, monkeypatch
):
    make_site(app, name="about.me")
    group_id = make_group(app, user)

    def broken_encrypt(value):
        raise RuntimeError("forced: the credentials key is unusable")

    monkeypatch.setattr(crypto, "encrypt", broken_encrypt)
    caplog.set_level(logging.INFO)

    response = client.post(
        f"/api/v1/backlink/groups/{group_id}/accounts",
        json={"website": "about.me", "username": "alice", **SECRETS},
        headers=jwt_headers(user),
    )

    assert response.status_code == 500
    logged = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert "forced: the credentials key is unusable" in logged  # the failure itself is logged
    assert "INSERT INTO accounts" in logged
    for name, secret in SECRETS.items():
        assert secret not in logged, f"the {name} is in the log"
