import re

import pytest
from sqlalchemy import select

from likepion.auth import passwords
from likepion.auth import services as auth_services
from likepion.auth.models import User
from likepion.core.db import db
from likepion.credits.models import LedgerEntry
from tests.cli import assert_fails, count


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
    assert get_user(app, "carol@example.com").plan_id == 1


@pytest.mark.parametrize("email", ["alice@example.com", "ALICE@example.com"])
def test_create_user_duplicate_email(app, runner, user, email):
    result = runner.invoke(args=["users", "create", email, "alice2", "--password", "whatever1"])

    assert_fails(result, "already taken")
    assert count(app, User) == 1


def test_create_user_duplicate_username(app, runner, user):
    result = runner.invoke(args=["users", "create", "new@example.com", "alice"])

    assert_fails(result, "already taken")
    assert count(app, User) == 1


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
    assert count(app, User) == 0


def test_create_user_missing_argument(app, runner):
    result = runner.invoke(args=["users", "create", "dave@example.com"])

    assert_fails(result, "Missing argument 'USERNAME'")
    assert count(app, User) == 0


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
    assert count(app, LedgerEntry, LedgerEntry.reason == "admin.credit") == 2


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
    ledger_rows = count(app, LedgerEntry)

    result = runner.invoke(args=["users", "credit", *args])

    assert_fails(result, message)
    assert get_user(app, "alice@example.com").credits == 1000
    assert count(app, LedgerEntry) == ledger_rows
