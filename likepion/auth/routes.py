"""`/api/v1/auth`: register, login, refresh, me, API-key rotation."""

from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token
from flask_smorest import Blueprint

from likepion.auth import services
from likepion.auth.guards import jwt_refresh_user, jwt_user
from likepion.auth.schemas import ApiKeyRead, LoginIn, RegisterIn, TokenRead, UserRead
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
@bp.arguments(RegisterIn)
@bp.response(201, envelope(UserRead))
def register(data):
    return {"data": services.register_user(**data)}


@bp.post("/login")
@bp.arguments(LoginIn)
@bp.response(200, envelope(TokenRead))
def login(data):
    return {"data": _tokens(services.authenticate(**data))}


@bp.post("/refresh")
@jwt_refresh_user
@bp.response(200, envelope(TokenRead))
def refresh(user):
    return {"data": _access_token(user)}


@bp.get("/me")
@jwt_user
@bp.response(200, envelope(UserRead))
def me(user):
    return {"data": user}


@bp.post("/api-key/rotate")
@jwt_user
@bp.response(200, envelope(ApiKeyRead))
def rotate_api_key(user):
    return {"data": {"api_key": services.rotate_api_key(user)}}


@sso_bp.get("/user/login/sso/<token>")
@sso_bp.response(200, envelope(TokenRead))
def sso_login(token):
    """Spend a one-time login link from `GET /api/user/login/:id`: the user's tokens, once."""
    return {"data": _tokens(services.sso_login(token))}
