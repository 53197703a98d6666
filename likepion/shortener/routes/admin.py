"""Plans and users (seed 004): admin only, 403 for everyone else."""

from functools import wraps

from likepion.auth.guards import require_api_key
from likepion.shortener import admin, limits, plans
from likepion.shortener.accounts import account_read
from likepion.shortener.blueprint import bp
from likepion.shortener.schemas import (
    ErrorEnvelope,
    LegacyUserQuery,
    MessageEnvelope,
    PlanCreate,
    PlanCreatedEnvelope,
    PlansEnvelope,
    PlanUpdate,
    PlanUpdatedEnvelope,
    SsoEnvelope,
    SubscriptionUpdate,
    UserCreate,
    UserCreatedEnvelope,
    UserEnvelope,
    UserQuery,
    UsersEnvelope,
)


def admin_user(view):
    """After `require_api_key`: 403 for a non-admin before the body or query is even read."""

    @wraps(view)
    def wrapper(*args, user, **kwargs):
        admin.require_admin(user)
        return view(*args, user=user, **kwargs)

    return wrapper


def _user_read(user) -> dict:
    return account_read(user) | {"planid": limits.user_plan_id(user), "apikey": user.api_key}


@bp.get("/plans")
@require_api_key
@admin_user
@bp.response(200, PlansEnvelope)
def list_plans(user):
    """List plans (admin).

    Every plan with its prices and limits."""
    return {"data": plans.list_plans(newest_first=True)}


def _errors(*statuses: int):
    """Document the shortener family's error answers (`{"error": 1, "message"}`)."""
    reasons = {
        400: "Invalid input; nothing changed",
        403: "Not an administrator",
        404: "No plan with this id",
        409: "The name is taken, or the change would leave a plan in use or no free plan",
    }

    def decorator(view):
        for status in statuses:
            view = bp.alt_response(status, schema=ErrorEnvelope, description=reasons[status])(view)
        return view

    return decorator


@bp.post("/plan/add")
@require_api_key
@admin_user
@bp.arguments(PlanCreate)
@bp.response(200, PlanCreatedEnvelope)
@_errors(400, 403, 409)
def add_plan(data, user):
    """Create a plan (admin)

    Limits it does not name start off (flags) or at 0 (counts). The answer carries the new
    plan's id and the plan as stored."""
    plan = plans.create_plan(**data)
    return {"id": plan.id, "data": plan}


@bp.put("/plan/<id:plan_id>/update")
@require_api_key
@admin_user
@bp.arguments(PlanUpdate)
@bp.response(200, PlanUpdatedEnvelope)
@_errors(400, 403, 404, 409)
def update_plan(data, user, plan_id):
    """Change a plan (admin)

    Only the fields sent change; `limits` is merged key by key, so `{"limits": {"geo":
    {"enabled": "1"}}}` turns geo targeting on and leaves the rest. The only free plan cannot
    stop being free."""
    plan = plans.update_plan(plan_id, **data)
    return {"message": "Plan has been updated successfully.", "data": plan}


@bp.delete("/plan/<id:plan_id>/delete")
@require_api_key
@admin_user
@bp.response(200, MessageEnvelope)
@_errors(403, 404, 409)
def delete_plan(user, plan_id):
    """Delete a plan (admin)

    Refused (409) while users are on it, and for the only free plan, which new users get."""
    plans.delete_plan(plan_id)
    return {"message": "Plan has been deleted successfully."}


@bp.put("/plan/<id:plan_id>/user/<id:user_id>")
@require_api_key
@admin_user
@bp.arguments(SubscriptionUpdate)
@bp.response(200, MessageEnvelope)
def subscribe_user(data, user, plan_id, user_id):
    """Put a user on a plan (admin).

    Sets the user's plan and its expiry."""
    admin.subscribe(user, plan_id, user_id, **data)
    return {"message": "User has been subscribed to this plan."}


@bp.get("/users")
@require_api_key
@admin_user
@bp.arguments(UserQuery, location="query")
@bp.response(200, UsersEnvelope)
def list_users(query, user):
    """List users (admin).

    Paginated, filterable by plan type."""
    return {"data": [_user_read(u) for u in admin.list_users(user, **query)]}


@bp.get("/user/<id:user_id>")
@require_api_key
@admin_user
@bp.response(200, UserEnvelope)
def get_user(user, user_id):
    """One user (admin).

    A user's account details."""
    return {"data": _user_read(admin.get_user(user, user_id))}


@bp.post("/user/get")
@require_api_key
@admin_user
@bp.arguments(LegacyUserQuery)
@bp.response(200, UserEnvelope)
@bp.doc(deprecated=True, summary="Legacy alias of GET /api/user/{id} (GemPixel's PHP wrapper)")
def get_user_legacy(data, user):
    """One user (admin, legacy).

    GemPixel's PHP wrapper sends the id in the body."""
    return {"data": _user_read(admin.get_user(user, data["userid"]))}


@bp.post("/user/add")
@require_api_key
@admin_user
@bp.arguments(UserCreate)
@bp.response(200, UserCreatedEnvelope)
def add_user(data, user):
    """Create a user (admin).

    Answers the new user's id, email and username."""
    return {"message": "User has been registered.", "data": admin.add_user(user, **data)}


@bp.post("/user/create")
@require_api_key
@admin_user
@bp.arguments(UserCreate)
@bp.response(200, UserCreatedEnvelope)
@bp.doc(deprecated=True, summary="Legacy alias of POST /api/user/add (GemPixel's PHP wrapper)")
def add_user_legacy(data, user):
    """Create a user (admin, legacy).

    Same as `POST /api/user/add`."""
    return {"message": "User has been registered.", "data": admin.add_user(user, **data)}


@bp.delete("/user/<id:user_id>/delete")
@require_api_key
@admin_user
@bp.response(200, MessageEnvelope)
def delete_user(user, user_id):
    """Delete a user (admin).

    The user can no longer log in or use the API."""
    admin.delete_user(user, user_id)
    return {"message": "User has been deleted."}


@bp.get("/user/login/<id:user_id>")
@require_api_key
@admin_user
@bp.response(200, SsoEnvelope)
def sso_login_url(user, user_id):
    """One-time login link for a user (admin).

    The link logs in once through `/user/login/sso/{token}`."""
    return {"url": admin.sso_url(user, user_id)}
