"""`/api/v1/<service_type>`: the API worker servers call with `X-API-Key` (seed 002)."""

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from likepion.auth.guards import server_key_required
from likepion.core.errors import AppError
from likepion.core.idempotency import idempotent
from likepion.worker import services
from likepion.worker.schemas import (
    AccountClaimIn,
    AccountUpdateIn,
    ChecksQuery,
    ClaimRead,
    InsertItem,
    InsertRead,
    LinkClaimIn,
    PullQuery,
    ReportIn,
    ReportRead,
    RequestFieldsRead,
    SecondaryTask,
)

bp = Blueprint(
    "worker",
    __name__,
    url_prefix="/api/v1/<service_type:service_type>",
    description="Worker API (seed 002)",
)


class TaskList(Schema):
    success = fields.Boolean(dump_default=True)
    data = fields.List(fields.Dict())


class PulledTasks(TaskList):
    requests = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(RequestFieldsRead),
        metadata={
            "description": "config, data and folder_urls of each primary task's request, keyed "
            "by request_id: sent once per request, not once per task."
        },
    )


class WorkerAccountEnvelope(Schema):
    success = fields.Boolean(dump_default=True)
    data = fields.Nested(SecondaryTask)


def _server_scope(server, **_):
    return f"server:{server.id}"


@bp.get("/links")
@server_key_required
@bp.arguments(PullQuery, location="query")
@bp.response(200, PulledTasks)
def pull_tasks(query, server, service_type):
    return services.pull_tasks(server, service_type, **query)


@bp.post("/links/claim")
@server_key_required
@bp.arguments(LinkClaimIn)
@bp.response(200, ClaimRead)
def claim_links(data, server, service_type):
    ids = data.get("link_ids") or [data["link_id"]]
    return services.extend_link_claims(server, service_type, ids)


@bp.post("/links/report")
@server_key_required
@bp.arguments(ReportIn, description='{"items": [...]} or the bare array of items (at most 200)')
@idempotent(_server_scope)
@bp.response(200, ReportRead)
def report_links(data, server, service_type):
    return services.report_links(server, service_type, data["items"])


@bp.post("/links/insert")
@server_key_required
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
                    ]
                }
            }
        },
    }
)
@idempotent(_server_scope)
@bp.response(200, InsertRead)
def insert_links(server, service_type):
    """Seed 002 section 3. An item for an account another server holds a live claim on fails
    (per row, naming that server) and changes nothing."""
    body = request.get_json(force=True)  # a body that does not load is a 400 saying why
    if body is None:
        raise AppError('Send an item, an array or {"items": [...]}.')
    return services.insert_links(server, service_type, body)


@bp.post("/accounts/claim")
@server_key_required
@bp.arguments(AccountClaimIn)
@bp.response(200, ClaimRead)
def claim_accounts(data, server, service_type):
    ids = data.get("account_ids") or [data["account_id"]]
    return services.claim_accounts(server, service_type, ids)


@bp.get("/accounts/checks")
@server_key_required
@bp.arguments(ChecksQuery, location="query")
@bp.response(200, TaskList)
def pull_checks(query, server, service_type):
    return {"data": services.pull_checks(server, service_type, **query)}


@bp.get("/accounts/<uuid:account_id>")
@server_key_required
@bp.response(200, WorkerAccountEnvelope)
def get_account(server, service_type, account_id):
    return {"data": services.get_account(service_type, account_id)}


@bp.post("/account")
@server_key_required
@bp.arguments(AccountUpdateIn)
@bp.response(200, WorkerAccountEnvelope)
def update_account(data, server, service_type):
    """Update an account's feed, credentials or check result. 409 `claimed_by_another_server`
    (naming it) while another server holds a live posting or check claim on the account."""
    return {"data": services.update_account(server, service_type, **data)}
