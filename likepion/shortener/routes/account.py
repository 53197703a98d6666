"""`/api/account`: the API key owner's account (seed 004, "Account")."""

from likepion.auth import schemas as auth_schemas
from likepion.auth import services as auth_services
from likepion.auth.guards import require_api_key
from likepion.shortener import limits
from likepion.shortener.accounts import account_read
from likepion.shortener.blueprint import bp
from likepion.shortener.schemas import AccountEnvelope, AccountUpdate, MessageEnvelope


@bp.record_once
def show_plans_in_auth(state) -> None:
    """`/api/v1/auth/me` and `/register` show the user's plan, which the shortener knows."""
    auth_schemas.show_plans_with(state.app, limits.user_plan)


@bp.get("/account")
@require_api_key
@bp.response(200, AccountEnvelope)
def get_account(user):
    """The caller's account.

    Email, username, plan and its limits."""
    return {"data": account_read(user)}


@bp.put("/account/update")
@require_api_key
@bp.arguments(AccountUpdate)
@bp.response(200, MessageEnvelope)
def update_account(data, user):
    """Update the caller's account.

    Email or password; only the fields sent change."""
    auth_services.update_account(user, **data)
    return {"message": "Account has been successfully updated."}
