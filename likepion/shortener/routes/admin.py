"""Plans and users (seed 004): admin only, 403 for everyone else."""

from functools import wraps

from likepion.auth.guards import api_key_user
from likepion.shortener import admin, plans
from likepion.shortener.blueprint import bp
from likepion.shortener.routes.account import account_read
from likepion.shortener.schemas import (
    LegacyUserGet,
    MessageEnvelope,
    PlansEnvelope,
    SsoEnvelope,
    Subscription,
    UserCreate,
    UserCreated,
    UserEnvelope,
    UserQuery,
    UsersEnvelope,
)


def admin_user(view):
    """After `api_key_user`: 403 for a non-admin before the body or query is even read."""

    @wraps(view)
    def wrapper(*args, user, **kwargs):
        admin.require_admin(user)
        return view(*args, user=user, **kwargs)

    return wrapper


def _user_read(user) -> dict:
    return account_read(user) | {"planid": user.plan_id, "apikey": user.api_key}


@bp.get("/plans")
@api_key_user
@admin_user
@bp.response(200, PlansEnvelope)
def list_plans(user):
    """List plans (admin).

    Every plan with its prices and limits."""
    return {"data": plans.list_plans(newest_first=True)}


@bp.put("/plan/<id:plan_id>/user/<id:user_id>")
@api_key_user
@admin_user
@bp.arguments(Subscription)
@bp.response(200, MessageEnvelope)
def subscribe_user(data, user, plan_id, user_id):
    """Put a user on a plan (admin).

    Sets the user's plan and its expiry."""
    admin.subscribe(user, plan_id, user_id, **data)
    return {"message": "User has been subscribed to this plan."}


@bp.get("/users")
@api_key_user
@admin_user
@bp.arguments(UserQuery, location="query")
@bp.response(200, UsersEnvelope)
def list_users(query, user):
    """List users (admin).

    Paginated, filterable by plan type."""
    return {"data": [_user_read(u) for u in admin.list_users(user, **query)]}


@bp.get("/user/<id:user_id>")
@api_key_user
@admin_user
@bp.response(200, UserEnvelope)
def get_user(user, user_id):
    """One user (admin).

    A user's account details."""
    return {"data": _user_read(admin.get_user(user, user_id))}


@bp.post("/user/get")
@api_key_user
@admin_user
@bp.arguments(LegacyUserGet)
@bp.response(200, UserEnvelope)
@bp.doc(deprecated=True, summary="Legacy alias of GET /api/user/{id} (GemPixel's PHP wrapper)")
def get_user_legacy(data, user):
    """One user (admin, legacy).

    GemPixel's PHP wrapper sends the id in the body."""
    return {"data": _user_read(admin.get_user(user, data["userid"]))}


@bp.post("/user/add")
@api_key_user
@admin_user
@bp.arguments(UserCreate)
@bp.response(200, UserCreated)
def add_user(data, user):
    """Create a user (admin).

    Answers the new user's id and API key."""
    return {"message": "User has been registered.", "data": admin.add_user(user, **data)}


@bp.post("/user/create")
@api_key_user
@admin_user
@bp.arguments(UserCreate)
@bp.response(200, UserCreated)
@bp.doc(deprecated=True, summary="Legacy alias of POST /api/user/add (GemPixel's PHP wrapper)")
def add_user_legacy(data, user):
    """Create a user (admin, legacy).

    Same as `POST /api/user/add`."""
    return {"message": "User has been registered.", "data": admin.add_user(user, **data)}


@bp.delete("/user/<id:user_id>/delete")
@api_key_user
@admin_user
@bp.response(200, MessageEnvelope)
def delete_user(user, user_id):
    """Delete a user (admin).

    The user can no longer log in or use the API."""
    admin.delete_user(user, user_id)
    return {"message": "User has been deleted."}


@bp.get("/user/login/<id:user_id>")
@api_key_user
@admin_user
@bp.response(200, SsoEnvelope)
def sso_login_url(user, user_id):
    """One-time login link for a user (admin).

    The link logs in once through `/user/login/sso/{token}`."""
    return {"url": admin.sso_url(user, user_id)}
