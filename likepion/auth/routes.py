"""`/api/v1/auth`: register, login, refresh, me, API-key rotation."""

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token
from flask_smorest import Blueprint

from likepion.auth import services
from likepion.auth.guards import require_jwt, require_refresh_jwt
from likepion.auth.schemas import ApiKeyRead, LoginCreate, RegistrationCreate, TokenRead, UserRead
from likepion.core.envelope import envelope

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Users and tokens")
sso_bp = Blueprint("sso", __name__, description="One-time login links (seed 004, Login User)")


def _access_token(user) -> dict:
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {
        "access_token": create_access_token(
            identity=str(user.uuid), additional_claims=services.token_claims(user)
        ),
        "token_type": "Bearer",
        "expires_in": int(expires.total_seconds()),
    }


def _tokens(user) -> dict:
    refresh_token = create_refresh_token(
        identity=str(user.uuid), additional_claims=services.token_claims(user)
    )
    return _access_token(user) | {"refresh_token": refresh_token}


@bp.post("/register")
@bp.arguments(RegistrationCreate)
@bp.response(201, envelope(UserRead))
def register(data):
    """Create an account.

    Registers a user with email and password and answers the new user; log in afterwards for
    tokens."""
    return {"data": services.register_user(**data)}


@bp.post("/login")
@bp.arguments(LoginCreate)
@bp.response(200, envelope(TokenRead))
def login(data):
    """Log in for tokens.

    Exchanges email and password for a JWT access token and a refresh token."""
    return {"data": _tokens(services.authenticate(**data))}


@bp.post("/refresh")
@require_refresh_jwt
@bp.response(200, envelope(TokenRead))
def refresh(user):
    """Get a new access token.

    Takes the refresh token (not the access token) as `Bearer` and answers a fresh access token."""
    return {"data": _access_token(user)}


@bp.get("/me")
@require_jwt
@bp.response(200, envelope(UserRead))
def me(user):
    """The caller's own user.

    Email, credits, plan and API key of the user the JWT belongs to."""
    return {"data": user}


@bp.post("/api-key/rotate")
@require_jwt
@bp.response(200, envelope(ApiKeyRead))
def rotate_api_key(user):
    """Rotate the shortener API key.

    Issues a new API key; the old one stops working at once."""
    return {"data": {"api_key": services.rotate_api_key(user)}}


@sso_bp.get("/user/login/sso/<token>")
@sso_bp.response(200, envelope(TokenRead))
def sso_login(token):
    """Spend a one-time login link.

    Answers the user's tokens for a link made by `GET /api/user/login/:id`; a second use is
    refused."""
    return {"data": _tokens(services.sso_login(token))}
