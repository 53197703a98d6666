"""`/groups`: pools of third-party accounts; create, list, change, delete, import, export."""

from likepion.auth.guards import require_jwt
from likepion.backlink import groups
from likepion.backlink.account_schemas import (
    GroupAccountRead,
    GroupCreate,
    GroupCreateEnvelope,
    GroupImportCreate,
    GroupImportRead,
    GroupQuery,
    GroupRead,
    GroupUpdate,
)
from likepion.backlink.accounts import TEXT_FIELDS
from likepion.backlink.blueprint import bp
from likepion.backlink.exports import download
from likepion.backlink.schemas import (
    DeletedRead,
    ExportQuery,
)
from likepion.core.envelope import envelope, page_body

ONE = "/groups/<uuid:group_id>"
ACCOUNT_EXPORT_COLUMNS = list(GroupAccountRead().fields)
TXT_FIELDS = ("website", *TEXT_FIELDS)


def account_txt_line(row: dict) -> str:
    """`website|username|email|password|app_password|pass_mail|twofa|cookies|note`."""
    return "|".join(str(row.get(k) or "") for k in TXT_FIELDS)


@bp.post("/groups")
@require_jwt
@bp.arguments(GroupCreate)
@bp.response(201, GroupCreateEnvelope)
def create_group(data, user):
    """Create a group of accounts.

    A named group for one service type; accounts are added to it afterwards."""
    return {"data": groups.create_group(user, **data)}


@bp.get("/groups")
@require_jwt
@bp.arguments(GroupQuery, location="query")
@bp.response(200, envelope(GroupRead, many=True))
def list_groups(query, user):
    """List the caller's groups.

    Paginated, optionally filtered by service type."""
    return page_body(groups.list_groups(user, **query))


@bp.post("/groups/import")
@require_jwt
@bp.arguments(GroupImportCreate)
@bp.response(201, envelope(GroupImportRead))
def import_group(data, user):
    """Create a group with its accounts.

    One call: the group and its accounts, each account validated on its own."""
    return {"data": groups.import_group(user, **data)}


@bp.get(ONE)
@require_jwt
@bp.response(200, envelope(GroupRead))
def get_group(user, group_id):
    """One group.

    The group with its account counts; another user's group is a 404."""
    return {"data": groups.get_group(user, group_id)}


@bp.put(ONE)
@require_jwt
@bp.arguments(GroupUpdate)
@bp.response(200, envelope(GroupRead))
def update_group(data, user, group_id):
    """Rename or change a group.

    Only the fields sent change."""
    return {"data": groups.update_group(user, group_id, **data)}


@bp.delete(ONE)
@require_jwt
@bp.response(200, envelope(DeletedRead))
def delete_group(user, group_id):
    """Delete a group.

    Another user's group answers like a missing one (404)."""
    groups.delete_group(user, group_id)
    return {"data": {"deleted": 1}}


@bp.get(f"{ONE}/export")
@require_jwt
@bp.arguments(ExportQuery, location="query")
@bp.response(200, description="The group and its accounts as a JSON, CSV or TXT download")
def export_group(query, user, group_id):
    """Export a group's accounts.

    The group's accounts with their credentials, for a backup or another tool."""
    group, accounts = groups.export_group(user, group_id)
    group_body = GroupRead().dump(group)
    return download(
        GroupAccountRead(many=True).dump(accounts),
        fmt=query["format"],
        filename=f"group-{group.id}",
        columns=ACCOUNT_EXPORT_COLUMNS,
        txt_line=account_txt_line,
        json_body=lambda rows: {"group": group_body, "accounts": rows},
    )
