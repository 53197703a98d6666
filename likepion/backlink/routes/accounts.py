"""Accounts of a group (`/groups/:id/accounts...`) and single accounts (`/accounts...`)."""

from likepion.auth.guards import require_jwt
from likepion.backlink import accounts, imports
from likepion.backlink.account_schemas import (
    GroupAccountCreate,
    GroupAccountImportCreate,
    GroupAccountQuery,
    GroupAccountRead,
    GroupAccountUpdate,
    ImportCountsRead,
    QueuedRead,
)
from likepion.backlink.blueprint import bp
from likepion.backlink.exports import download
from likepion.backlink.routes.groups import ACCOUNT_EXPORT_COLUMNS, account_txt_line
from likepion.backlink.schemas import (
    DeletedRead,
    IdsExportIn,
    IdsIn,
)
from likepion.core.envelope import envelope, page_body

GROUP_ACCOUNTS = "/groups/<uuid:group_id>/accounts"
ONE = "/accounts/<uuid:account_id>"


@bp.post(GROUP_ACCOUNTS)
@require_jwt
@bp.arguments(GroupAccountCreate)
@bp.response(201, envelope(GroupAccountRead))
def create_account(data, user, group_id):
    """Add an account to a group.

    Credentials are stored encrypted; the website must be a known site."""
    return {"data": accounts.create_account(user, group_id, **data)}


@bp.get(GROUP_ACCOUNTS)
@require_jwt
@bp.arguments(GroupAccountQuery, location="query")
@bp.response(200, envelope(GroupAccountRead, many=True))
def list_accounts(query, user, group_id):
    """List a group's accounts.

    Paginated; each account with its credentials, decrypted for its owner."""
    return page_body(accounts.list_accounts(user, group_id, **query))


@bp.post(f"{GROUP_ACCOUNTS}/import")
@require_jwt
@bp.arguments(GroupAccountImportCreate)
@bp.response(200, envelope(ImportCountsRead))
def import_accounts(data, user, group_id):
    """Import accounts into a group.

    Many accounts in one call; answers how many were created and skipped."""
    return {"data": imports.import_accounts(user, group_id, **data)}


@bp.post(f"{GROUP_ACCOUNTS}/check-all")
@require_jwt
@bp.response(200, envelope(QueuedRead))
def check_group_accounts(user, group_id):
    """Queue a credentials check for every account of a group.

    Workers pick the checks up from `GET /api/v1/{service_type}/accounts/checks`."""
    return {"data": {"queued": accounts.check_group_accounts(user, group_id)}}


@bp.put(ONE)
@require_jwt
@bp.arguments(GroupAccountUpdate)
@bp.response(200, envelope(GroupAccountRead))
def update_account(data, user, account_id):
    """Change an account.

    Only the fields sent change; credentials stay encrypted."""
    return {"data": accounts.update_account(user, account_id, **data)}


@bp.delete(ONE)
@require_jwt
@bp.response(200, envelope(DeletedRead))
def delete_account(user, account_id):
    """Delete an account.

    Another user's account answers like a missing one (404)."""
    accounts.delete_account(user, account_id)
    return {"data": {"deleted": 1}}


@bp.post(f"{ONE}/check")
@require_jwt
@bp.response(200, envelope(QueuedRead))
def check_account(user, account_id):
    """Queue a credentials check for one account.

    A worker checks it and reports through `POST /api/v1/{service_type}/account`."""
    return {"data": {"queued": accounts.check_account(user, account_id)}}


@bp.post("/accounts/bulk-delete")
@require_jwt
@bp.arguments(IdsIn)
@bp.response(200, envelope(DeletedRead))
def bulk_delete_accounts(data, user):
    """Delete many accounts.

    Deletes the caller's accounts among `ids`; others' ids are ignored."""
    return {"data": {"deleted": accounts.bulk_delete_accounts(user, data["ids"])}}


@bp.post("/accounts/export")
@require_jwt
@bp.arguments(IdsExportIn)
@bp.response(200, description="The accounts as a JSON, CSV or TXT download")
def export_accounts(data, user):
    """Export accounts by id.

    The caller's accounts among `ids`, with credentials."""
    return download(
        GroupAccountRead(many=True).dump(accounts.export_accounts(user, data["ids"])),
        fmt=data["format"],
        filename="accounts",
        columns=ACCOUNT_EXPORT_COLUMNS,
        txt_line=account_txt_line,
    )
