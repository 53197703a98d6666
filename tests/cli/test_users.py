import re

import pytest
from sqlalchemy import select

from likepion.auth import passwords
from likepion.auth import services as auth_services
from likepion.auth.models import User
from likepion.core.db import db
from likepion.credits.models import LedgerEntry
from likepion.shortener import limits
from tests.cli import assert_fails
from tests.helpers import count_rows


def get_user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def test_create_user_with_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "Alice@Example.com", "alice", "--password", "s3cret-pass"]
    )

    assert result.exit_code == 0, result.output
    assert "Created user alice <alice@example.com>" in result.output
    assert "Password" not in result.output
    user = get_user(app, "alice@example.com")
    assert user.username == "alice"
    assert user.is_admin is False
    assert user.credits == 0
    with app.app_context():
        assert passwords.verify_password(user.password_hash, "s3cret-pass")
    assert f"API key: {user.api_key}" in result.output


def test_create_user_without_password_prints_a_random_one_that_logs_in(app, runner):
    result = runner.invoke(args=["users", "create", "bob@example.com", "bob"])

    assert result.exit_code == 0, result.output
    password = re.search(r"^Password \(shown once\): (\S+)$", result.output, re.M).group(1)
    assert len(password) >= 16
    assert result.output.count(password) == 1
    with app.app_context():
        assert auth_services.authenticate(login="bob", password=password).email == "bob@example.com"


def test_create_admin(app, runner):
    result = runner.invoke(args=["users", "create", "root@example.com", "root", "--admin"])

    assert result.exit_code == 0, result.output
    assert "Created admin root" in result.output
    assert get_user(app, "root@example.com").is_admin is True


def test_created_user_is_on_the_free_plan(app, runner):
    runner.invoke(args=["plans", "seed"])

    result = runner.invoke(args=["users", "create", "carol@example.com", "carol"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert limits.user_plan(get_user(app, "carol@example.com")).id == 1


@pytest.mark.parametrize("email", ["alice@example.com", "ALICE@example.com"])
def test_create_user_duplicate_email(app, runner, user, email):
    result = runner.invoke(args=["users", "create", email, "alice2", "--password", "whatever1"])

    assert_fails(result, "already taken")
    assert count_rows(app, User) == 1


def test_create_user_duplicate_username(app, runner, user):
    result = runner.invoke(args=["users", "create", "new@example.com", "alice"])

    assert_fails(result, "already taken")
    assert count_rows(app, User) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["not-an-email", "dave"], "email: Not a valid email address."),
        (["dave@example.com", "d"], "username: 3-32 characters"),
        (
            ["dave@example.com", "dave", "--password", "short"],
            "password: Length must be between 8 and 128.",
        ),
        (["dave@example.com", "has space"], "username:"),
    ],
)
def test_create_user_bad_input(app, runner, args, message):
    result = runner.invoke(args=["users", "create", *args])

    assert_fails(result, message)
    assert result.exit_code == 1
    assert count_rows(app, User) == 0


def test_create_user_missing_argument(app, runner):
    result = runner.invoke(args=["users", "create", "dave@example.com"])

    assert_fails(result, "Missing argument 'USERNAME'")
    assert count_rows(app, User) == 0


def test_credit_adds_credits_and_a_ledger_row(app, runner, user):
    result = runner.invoke(args=["users", "credit", "alice@example.com", "250"])

    assert result.exit_code == 0, result.output
    assert result.output == "Added 250 credits to alice@example.com. Balance: 1250\n"
    assert get_user(app, "alice@example.com").credits == 1250
    with app.app_context():
        entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.reason == "admin.credit"))
        assert (entry.user_id, entry.amount, entry.balance_after) == (user.id, 250, 1250)


def test_credit_twice_accumulates_and_matches_the_ledger(app, runner, user):
    runner.invoke(args=["users", "credit", "alice@example.com", "5"])
    result = runner.invoke(args=["users", "credit", " Alice@Example.com ", "7"])

    assert result.exit_code == 0, result.output
    assert result.output.endswith("Balance: 1012\n")
    with app.app_context():
        amounts = db.session.scalars(
            select(LedgerEntry.amount).where(LedgerEntry.user_id == user.id)
        ).all()
    assert sum(amounts) == 1012
    assert count_rows(app, LedgerEntry, LedgerEntry.reason == "admin.credit") == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["nobody@example.com", "10"], "No user with email nobody@example.com."),
        (["alice@example.com", "0"], "Amount must be a positive whole number, got 0."),
        (["alice@example.com", "-5"], "Amount must be a positive whole number, got -5."),
        (["alice@example.com", "999999999999001"], "The balance cannot exceed 1000000000000000"),
        (["alice@example.com", "abc"], "'abc' is not a valid integer"),
        (["alice@example.com", "1.5"], "'1.5' is not a valid integer"),
        (["alice@example.com"], "Missing argument 'AMOUNT'"),
    ],
)
def test_credit_bad_input_writes_nothing(app, runner, user, args, message):
    ledger_rows = count_rows(app, LedgerEntry)

    result = runner.invoke(args=["users", "credit", *args])

    assert_fails(result, message)
    assert get_user(app, "alice@example.com").credits == 1000
    assert count_rows(app, LedgerEntry) == ledger_rows


# --- recovery (issue 15, item 3): set-password and rotate-key ------------------------------------
NEW_PASSWORD = "a fresh passphrase"


def tokens(client, login, password) -> dict:
    response = client.post("/api/v1/auth/login", json={"login": login, "password": password})
    return response.json.get("data") or {"status": response.status_code}


def token_works(client, access_token) -> int:
    headers = {"Authorization": f"Bearer {access_token}"}
    return client.get("/api/v1/auth/me", headers=headers).status_code


def stored_secrets(app, email) -> tuple:
    user = get_user(app, email)
    return user.password_hash, user.api_key_hash, user.token_version


def test_set_password_with_the_option_revokes_older_tokens(app, client, runner, user):
    old = tokens(client, "alice", user.password)
    version = get_user(app, user.email).token_version

    result = runner.invoke(
        args=["users", "set-password", "Alice@Example.com", "--password", NEW_PASSWORD]
    )

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Password of alice@example.com changed; older access and refresh tokens are revoked.\n"
    )
    assert NEW_PASSWORD not in result.output
    row = get_user(app, user.email)
    assert row.token_version == version + 1
    with app.app_context():
        assert passwords.verify_password(row.password_hash, NEW_PASSWORD)
    assert token_works(client, old["access_token"]) == 401
    refresh = {"Authorization": f"Bearer {old['refresh_token']}"}
    assert client.post("/api/v1/auth/refresh", headers=refresh).status_code == 401
    assert tokens(client, "alice", user.password) == {"status": 401}
    assert token_works(client, tokens(client, "alice", NEW_PASSWORD)["access_token"]) == 200


def test_set_password_prompts_twice_without_echo(app, client, runner, user):
    result = runner.invoke(
        args=["users", "set-password", user.email], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert "Password: " in result.output and "Repeat for confirmation: " in result.output
    assert NEW_PASSWORD not in result.output
    assert "access_token" in tokens(client, "alice", NEW_PASSWORD)


def test_set_password_prompt_mismatch_asks_again(app, client, runner, user):
    result = runner.invoke(
        args=["users", "set-password", user.email],
        input=f"{NEW_PASSWORD}\nsomething else\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Error: The two entered values do not match." in result.output
    assert "access_token" in tokens(client, "alice", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("alice@example.com", "short", "password: Length must be between 8 and 128."),
        ("alice@example.com", "x" * 129, "password: Length must be between 8 and 128."),
        ("nobody@example.com", NEW_PASSWORD, "No user with email nobody@example.com."),
    ],
)
def test_set_password_refusals_change_nothing(app, runner, user, email, password, message):
    before = stored_secrets(app, user.email)

    result = runner.invoke(args=["users", "set-password", email, "--password", password])

    assert_fails(result, message)
    assert stored_secrets(app, user.email) == before


def test_set_password_of_a_deleted_user_is_refused(app, runner, user):
    with app.app_context():
        db.session.get(User, user.id).deleted_at = auth_services.utcnow()
        db.session.commit()
    before = stored_secrets(app, user.email)

    result = runner.invoke(args=["users", "set-password", user.email, "--password", NEW_PASSWORD])

    assert_fails(result, "No user with email alice@example.com.")
    assert stored_secrets(app, user.email) == before


def test_rotate_key_prints_the_new_key_once_and_revokes_the_old_key_and_tokens(
    app, client, runner, user
):
    old = tokens(client, "alice", user.password)
    _, old_hash, version = stored_secrets(app, user.email)

    result = runner.invoke(args=["users", "rotate-key", user.email])

    assert result.exit_code == 0, result.output
    key = re.search(r"^New API key \(shown once\): (\S+)$", result.output, re.M).group(1)
    assert result.output.startswith("API key of alice@example.com rotated; older JWTs are revoked.")
    assert result.output.count(key) == 1 and key != user.api_key
    row = get_user(app, user.email)
    assert (row.api_key, row.token_version) == (key, version + 1)
    assert row.api_key_hash != old_hash
    account = "/api/account"
    assert (
        client.get(account, headers={"Authorization": f"Bearer {user.api_key}"}).status_code == 401
    )
    assert client.get(account, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert token_works(client, old["access_token"]) == 401
    assert token_works(client, tokens(client, "alice", user.password)["access_token"]) == 200


def test_rotate_key_of_an_unknown_user(app, runner, user):
    before = stored_secrets(app, user.email)

    assert_fails(runner.invoke(args=["users", "rotate-key", "x@example.com"]), "No user with email")
    assert stored_secrets(app, user.email) == before
