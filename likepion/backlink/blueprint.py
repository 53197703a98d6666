"""The backlink API's blueprint at `/api/v1/backlink`; modules in backlink.routes register on it."""

from flask_smorest import Blueprint

bp = Blueprint(
    "backlink", __name__, url_prefix="/api/v1/backlink", description="Backlink API (seed 000)"
)
