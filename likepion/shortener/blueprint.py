"""The shortener API's blueprint at `/api`; route modules in shortener.routes register on it."""

from flask_smorest import Blueprint

bp = Blueprint("shortener", __name__, url_prefix="/api", description="Short links (seed 004)")
