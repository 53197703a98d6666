"""A user without a plan (`plan_id` NULL, what sign-up gives now) is on the free plan: every
answer is the one a user whose `plan_id` names the free plan (older rows) gets."""

import pytest

from likepion.auth.models import User
from likepion.core.db import db
from tests.factories import make_user

STARTER = {"id": 1, "name": "Starter", "free": True}


def set_plan_id(app, user, plan_id) -> None:
    with app.app_context():
        db.session.get(User, user.id).plan_id = plan_id
        db.session.commit()


def stored_plan_id(app, user):
    with app.app_context():
        return db.session.get(User, user.id).plan_id


def test_sign_up_stores_no_plan_and_shows_the_free_plan(app, client):
    body = {"email": "new@example.com", "username": "newcomer", "password": "Secret-pass-1"}

    response = client.post("/api/v1/auth/register", json=body)

    assert response.status_code == 201, response.json
    assert response.json["data"]["plan"] == STARTER
    with app.app_context():
        assert db.session.get(User, response.json["data"]["numeric_id"]).plan_id is None


@pytest.mark.parametrize("plan_id", [None, 1], ids=["null", "free-plan-id"])
def test_null_and_the_free_plans_id_answer_alike(
    app, client, runner, admin, jwt_headers, api_key_headers, plan_id
):
    user = make_user(app, email="frank@example.com", username="frank")
    set_plan_id(app, user, plan_id)

    me = client.get("/api/v1/auth/me", headers=jwt_headers(user))
    account = client.get("/api/account", headers=api_key_headers(user))
    listed = client.get(f"/api/user/{user.id}", headers=api_key_headers(admin))
    alias = client.post(
        "/api/url/add",
        json={"url": "https://example.com/page", "custom": "mine"},
        headers=api_key_headers(user),
    )
    plans = runner.invoke(args=["plans", "list"])

    assert me.json["data"]["plan"] == STARTER
    assert (account.json["data"]["status"], account.json["data"]["expires"]) == ("free", "")
    assert (listed.json["data"]["planid"], listed.json["data"]["status"]) == (1, "free")
    assert alias.status_code == 403 and alias.json["message"].startswith("Custom aliases")
    starter_row = next(line for line in plans.output.splitlines() if "Starter" in line)
    assert starter_row.split()[:4] == ["1", "Starter", "yes", "2"]  # frank and the admin
    assert stored_plan_id(app, user) == plan_id  # reading the plan writes nothing


def test_the_free_plan_with_users_without_a_plan_cannot_be_deleted(
    app, client, user, admin, api_key_headers
):
    client.post("/api/plan/add", json={"name": "Free two", "free": True},
                headers=api_key_headers(admin))  # fmt: skip

    response = client.delete("/api/plan/1/delete", headers=api_key_headers(admin))

    assert response.status_code == 409
    assert response.json["message"].startswith("2 user(s) are on this plan")
    assert stored_plan_id(app, user) is None
