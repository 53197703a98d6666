"""`GET /api/v1/backlink/credits`: balance and ledger."""

from flask_smorest import Blueprint

from likepion.auth.guards import require_jwt
from likepion.core.pagination import PageQuery
from likepion.credits import services
from likepion.credits.schemas import CreditsEnvelope

bp = Blueprint("credits", __name__, url_prefix="/api/v1/backlink", description="Credits")


@bp.get("/credits")
@require_jwt
@bp.arguments(PageQuery, location="query")
@bp.response(200, CreditsEnvelope)
def get_credits(query, user):
    """Credit balance and ledger.

    The caller's balance and a page of ledger entries, newest first."""
    page = services.list_ledger(user, **query)
    return {
        "data": {"credits": user.credits, "ledger": page.items},
        "total": page.total,
        "page": page.page,
        "limit": page.limit,
    }
