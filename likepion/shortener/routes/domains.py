"""Branded domains (seed 004, "Branded Domains"): list, add, update, delete."""

from likepion.auth.guards import require_api_key
from likepion.shortener import domains
from likepion.shortener.blueprint import bp
from likepion.shortener.envelope import list_envelope, page_data
from likepion.shortener.object_schemas import DomainCreate, DomainRead, DomainUpdate
from likepion.shortener.schemas import IdEnvelope, ListQuery, MessageEnvelope


@bp.get("/domains")
@require_api_key
@bp.arguments(ListQuery, location="query")
@bp.response(200, list_envelope(DomainRead, "domains"))
def list_domains(query, user):
    """List branded domains.

    Paginated."""
    return page_data(domains.list_domains(user, **query), "domains")


@bp.post("/domain/add")
@require_api_key
@bp.arguments(DomainCreate)
@bp.response(200, IdEnvelope)
def add_domain(data, user):
    """Add a branded domain.

    Point its DNS at the service; `redirectroot` and `redirect404` are optional."""
    return {"id": domains.create_domain(user, **data).id}


@bp.put("/domain/<id:domain_id>/update")
@require_api_key
@bp.arguments(DomainUpdate)
@bp.response(200, MessageEnvelope)
def update_domain(data, user, domain_id):
    """Change a branded domain.

    Its root and not-found redirects."""
    domains.update_domain(user, domain_id, **data)
    return {"message": "Domain has been updated successfully."}


@bp.delete("/domain/<id:domain_id>/delete")
@require_api_key
@bp.response(200, MessageEnvelope)
def delete_domain(user, domain_id):
    """Delete a branded domain.

    Another user's domain answers like a missing one."""
    domains.delete_domain(user, domain_id)
    return {"message": "Domain has been deleted successfully."}
