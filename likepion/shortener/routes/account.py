"""`/api/account`: the API key owner's account (seed 004, "Account")."""

import hashlib

from likepion.auth import services as auth_services
from likepion.auth.guards import api_key_user
from likepion.shortener import limits
from likepion.shortener.blueprint import bp
from likepion.shortener.schemas import AccountEnvelope, AccountUpdate, MessageEnvelope


def account_read(user) -> dict:
    plan = limits.current_plan(user)
    digest = hashlib.md5(user.email.encode(), usedforsecurity=False).hexdigest()
    return {
        "id": user.id,
        "email": user.email,
        "username": user.username,
        "avatar": f"https://www.gravatar.com/avatar/{digest}?d=identicon",
        "status": "free" if plan is None or plan.free else "pro",
        "expires": None if plan is None or plan.free else user.plan_expires,
        "registered": user.created_at,
    }


@bp.get("/account")
@api_key_user
@bp.response(200, AccountEnvelope)
def get_account(user):
    """The caller's account.

    Email, username, plan and its limits."""
    return {"data": account_read(user)}


@bp.put("/account/update")
@api_key_user
@bp.arguments(AccountUpdate)
@bp.response(200, MessageEnvelope)
def update_account(data, user):
    """Update the caller's account.

    Email or password; only the fields sent change."""
    auth_services.update_account(user, **data)
    return {"message": "Account has been successfully updated."}
