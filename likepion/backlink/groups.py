"""Groups: a user's pools of third-party accounts (their accounts are in backlink.accounts)."""

import uuid
from dataclasses import asdict

from sqlalchemy import delete, select
from sqlalchemy.orm import undefer_group

from likepion.auth.models import User
from likepion.backlink import imports
from likepion.backlink.accounts import commit as commit_accounts
from likepion.backlink.models import Account, Group
from likepion.core.db import db, get_owned
from likepion.core.pagination import Page, paginate


def list_groups(
    user: User,
    *,
    page: int,
    limit: int,
    service_type: str | None = None,
    status: str | None = None,
    search: str | None = None,
    min_active: int = 0,
) -> Page:
    """The user's groups, newest first, with their account counters (one SELECT per page)."""
    stmt = (
        select(Group)
        .options(undefer_group("counts"))
        .where(Group.user_id == user.id)
        .order_by(Group.created_at.desc(), Group.id)
    )
    if service_type is not None:
        stmt = stmt.where(Group.service_type == service_type)
    if status is not None:
        stmt = stmt.where(Group.status == status)
    if search:
        stmt = stmt.where(Group.name.icontains(search.strip(), autoescape=True))
    if min_active:
        stmt = stmt.where(Group.account_active >= min_active)
    return paginate(stmt, page, limit)


def get_group(user: User, group_id: uuid.UUID) -> Group:
    """The user's group (NotFound when missing or someone else's)."""
    return get_owned(Group, group_id, user.id)


def create_group(
    user: User,
    *,
    name: str,
    service_type: str,
    accounts: list | None = None,
    skip_unsupported: bool = True,
) -> Group | dict:
    """A new group; with `accounts`, the group and its import counters (duplicates and
    unsupported items are both `skipped`)."""
    group = _new_group(user, name, service_type)
    if accounts is None:
        commit_accounts()
        return group
    counts = imports.import_items(
        group, accounts, overwrite=False, skip_unsupported=skip_unsupported
    )
    commit_accounts()
    return {
        "group": group,
        "imported": counts.imported,
        "skipped": counts.duplicates + counts.unsupported,
        "failed": counts.failed,
        "errors": counts.errors,
    }


def update_group(user: User, group_id: uuid.UUID, **fields) -> Group:
    """Rename a group or change its status (active|inactive)."""
    group = get_owned(Group, group_id, user.id)
    if "name" in fields:
        group.name = fields["name"].strip()
    if "status" in fields:
        group.status = fields["status"]
    commit_accounts()
    return group


def _new_group(user: User, name: str, service_type: str) -> Group:
    group = Group(user_id=user.id, name=name.strip(), service_type=service_type, status="active")
    db.session.add(group)
    db.session.flush()
    return group


def delete_group(user: User, group_id: uuid.UUID) -> None:
    """Delete a group and its accounts (ON DELETE CASCADE). Requests that used it keep their
    links: the foreign keys null `requests.group_id` and `links.account_id` (ON DELETE SET NULL)."""
    group = get_owned(Group, group_id, user.id)
    db.session.execute(delete(Group).where(Group.id == group.id))
    commit_accounts()


def export_group(user: User, group_id: uuid.UUID) -> tuple[Group, list[Account]]:
    """The group and all its accounts (decrypted by the column type), oldest first."""
    group = get_owned(Group, group_id, user.id)
    accounts = db.session.scalars(
        select(Account)
        .where(Account.group_id == group.id)
        .order_by(Account.created_at, Account.website, Account.identity)
    ).all()
    return group, list(accounts)


def import_group(
    user: User,
    *,
    service_type: str,
    name: str,
    accounts: list,
    skip_unsupported: bool = True,
    overwrite: bool = False,
) -> dict:
    """A new group filled from `accounts`; nothing is written when the call fails."""
    group = _new_group(user, name, service_type)
    counts = imports.import_items(
        group, accounts, overwrite=overwrite, skip_unsupported=skip_unsupported
    )
    commit_accounts()
    return {"group": {"id": group.id, "name": group.name}, **asdict(counts)}
