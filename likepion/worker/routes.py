"""`/api/v1/<service_type>`: the API worker servers call with `X-API-Key` (seed 002)."""

from flask import request
from flask_smorest import Blueprint

from likepion.auth.guards import require_server_key
from likepion.core.errors import AppError
from likepion.core.idempotency import idempotent
from likepion.core.validation import refuse_nul
from likepion.worker import reports, services
from likepion.worker.schemas import (
    AccountClaimUpdate,
    ChecksQuery,
    ClaimRead,
    InsertCreate,
    InsertItem,
    InsertRead,
    LinkClaimUpdate,
    PullQuery,
    ReportIn,
    ReportRead,
    WorkerAccountUpdate,
)
from likepion.worker.task_schemas import CheckTaskList, PulledTasks, WorkerAccountEnvelope

bp = Blueprint(
    "worker",
    __name__,
    url_prefix="/api/v1/<service_type:service_type>",
    description="Worker API (seed 002)",
)


def _server_scope(server, **_):
    return f"server:{server.id}"


@bp.get("/links")
@require_server_key
@bp.arguments(PullQuery, location="query")
@bp.response(200, PulledTasks)
def pull_tasks(query, server, service_type):
    """Pull and claim tasks.

    Claims up to `limit` tasks for the calling server: primary tasks (links) first, then podcast
    secondary tasks, or only the `type` asked for. Each request's config, data and folder_urls
    come once in `requests`."""
    return services.pull_tasks(server, service_type, **query)


@bp.post("/links/claim")
@require_server_key
@bp.arguments(LinkClaimUpdate)
@bp.response(200, ClaimRead)
def claim_links(ids, server, service_type):
    """Extend claims on links.

    Keeps the server's claims alive; ids it does not hold are in `not_found`."""
    return services.extend_link_claims(server, service_type, ids)


@bp.post("/links/report")
@require_server_key
@bp.arguments(ReportIn, description='{"items": [...]} or the bare array of items (at most 200)')
@idempotent(_server_scope)
@bp.response(200, ReportRead)
def report_links(data, server, service_type):
    """Report results of claimed links.

    Per-item results: completed, failed or cancel, with the posted URLs."""
    return reports.report_links(server, service_type, data["items"])


@bp.post("/links/insert")
@require_server_key
@Blueprint.doc(
    requestBody={
        "required": True,
        "description": 'One item, an array of items, or {"items": [...]}; at most 200 rows '
        "after splitting link_post on commas.",
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        InsertItem,
                        {"type": "array", "items": InsertItem, "maxItems": 200},
                        {
                            "type": "object",
                            "required": ["items"],
                            "properties": {
                                "items": {"type": "array", "items": InsertItem, "maxItems": 200}
                            },
                        },
                    ]
                }
            }
        },
    }
)
@idempotent(_server_scope)
@bp.response(200, InsertRead)
def insert_links(server, service_type):
    """Insert posted links.

    Seed 002 section 3: one item, an array, or `{"items": [...]}`. An item for an account another
    server holds a live claim on fails (per row, naming that server) and changes nothing."""
    body = request.get_json(force=True)  # a body that does not load is a 400 saying why
    if body is None:
        raise AppError('Send an item, an array or {"items": [...]}.')
    refuse_nul(body, "json")  # the before-request check reads only JSON-typed bodies
    return reports.insert_links(server, service_type, InsertCreate().load(body))


@bp.post("/accounts/claim")
@require_server_key
@bp.arguments(AccountClaimUpdate)
@bp.response(200, ClaimRead)
def claim_accounts(ids, server, service_type):
    """Extend claims on accounts.

    Keeps the server's account claims alive; ids it does not hold are in `not_found`."""
    return services.claim_accounts(server, service_type, ids)


@bp.get("/accounts/checks")
@require_server_key
@bp.arguments(ChecksQuery, location="query")
@bp.response(200, CheckTaskList)
def pull_checks(query, server, service_type):
    """Pull credential checks.

    Claims up to `limit` accounts queued for a credentials check."""
    return {"data": services.pull_checks(server, service_type, **query)}


@bp.get("/accounts/<uuid:account_id>")
@require_server_key
@bp.response(200, WorkerAccountEnvelope)
def get_account(server, service_type, account_id):
    """One account as a task.

    The account's credentials and its group's newest post, in task shape; no claim is taken."""
    return {"data": services.get_account(service_type, account_id)}


@bp.post("/account")
@require_server_key
@bp.arguments(WorkerAccountUpdate)
@bp.response(200, WorkerAccountEnvelope)
def update_account(data, server, service_type):
    """Update an account.

    Feed, credentials or check result. 409 `claimed_by_another_server` (naming it) while another
    server holds a live posting or check claim on the account."""
    return {"data": services.update_account(server, service_type, **data)}
