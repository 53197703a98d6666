"""A user's account as the shortener shows it (`/api/account`, the admin's user list)."""

import hashlib

from likepion.shortener import limits


def account_read(user) -> dict:
    """Seed 004's account fields: the plan decides `status` and `expires`."""
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
