"""Accounts of a group: list, create, change, delete, export, queue checks; the one function that
changes an account (`change_account`, for its owner and for the worker using it).

Credentials are encrypted by the `Encrypted` column type on the way in. Imports of many
accounts at once are in backlink.imports.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from likepion.auth.models import User
from likepion.backlink import catalogue, counters
from likepion.backlink.account_schemas import (
    ACCOUNT_MAX_LENGTHS,
)
from likepion.backlink.models import Account, Group
from likepion.core.db import db, get_owned
from likepion.core.errors import Conflict, ValidationFailed
from likepion.core.pagination import Page, paginate
from likepion.core.time import utcnow

MAX_WEBSITE_LENGTH = 255  # the stored, normalised site name
IDENTITY_FIELDS = ("username", "email")
SECRET_FIELDS = ("password", "app_password", "pass_mail", "twofa", "cookies")
TEXT_FIELDS = IDENTITY_FIELDS + SECRET_FIELDS + ("note",)
# The read-only fields of an account export: accepted (and ignored) in import items, so an
# exported group imports back as it is.
EXPORT_ONLY_FIELDS = frozenset(
    {"id", "group_id", "service_type", "active", "status", "is_indexed", "created_at", "updated_at"}
)
ITEM_FIELDS = frozenset(("website",) + TEXT_FIELDS) | EXPORT_ONLY_FIELDS
# The accounts page's order (index ix_accounts_group_created).
ACCOUNT_ORDER = (Account.created_at.desc(), Account.website, Account.identity)


@dataclass(frozen=True)
class UpdateRules:
    """How an account update is checked and how its `status` and `active` follow each other.
    Its owner (the backlink API) and the worker using it (the worker API) change it differently."""

    recheck: bool  # the fields are checked like a new account's: lengths, site, uniqueness
    status_follows_active: bool  # `active` alone makes the status active or inactive
    checking_keeps_active: bool  # the status `checking` leaves `active` as it is
    status_ends_check: bool  # a status is a check's result: the check claim ends


BY_OWNER = UpdateRules(
    recheck=True, status_follows_active=True, checking_keeps_active=True, status_ends_check=False
)
BY_WORKER = UpdateRules(
    recheck=False, status_follows_active=False, checking_keeps_active=False, status_ends_check=True
)


@dataclass(frozen=True)
class ItemError:
    field: str
    message: str


def list_accounts(
    user: User,
    group_id: uuid.UUID,
    *,
    page: int,
    limit: int,
    status: str | None = None,
    search: str | None = None,
) -> Page:
    """The group's accounts, newest first; `search` matches website, username or email. The
    page's ids come first from the covering index (ix_accounts_group_created), so a deep page
    skips index entries, not rows; unfiltered, the total is the group's counter."""
    group = get_owned(Group, group_id, user.id)
    stmt = select(Account.id).where(Account.group_id == group.id).order_by(*ACCOUNT_ORDER)
    if status is not None:
        stmt = stmt.where(Account.status == status)
    if search:
        term = search.strip()
        stmt = stmt.where(
            or_(
                Account.website.icontains(term, autoescape=True),
                Account.username.icontains(term, autoescape=True),
                Account.email.icontains(term, autoescape=True),
            )
        )
    total = group.account_count if status is None and not search else None
    ids = paginate(stmt, page, limit, total=total)
    ids.items = db.session.scalars(
        select(Account).where(Account.id.in_(ids.items)).order_by(*ACCOUNT_ORDER)
    ).all()
    return ids


def create_account(user: User, group_id: uuid.UUID, **fields) -> Account:
    """One account in the user's group; its website must be an active site of the group's
    service type (422), and it must not duplicate one of the group (409)."""
    group = get_owned(Group, group_id, user.id, lock=True)
    row = _checked(fields)
    site_id = catalogue.active_sites(group.service_type).get(row["website"])
    if site_id is None:
        raise unsupported_site(group, row["website"])
    _ensure_unique(group.id, row["website"], row["identity"])
    account = Account(**new_row(group, row, site_id, now=utcnow()), active=True, status="active")
    db.session.add(account)
    counters.add_accounts(group.id, total=1, active=1)
    commit()
    return account


def update_account(user: User, account_id: uuid.UUID, **fields) -> Account:
    """Change an account's fields; a changed website or identity is checked like a new one."""
    account = get_owned(Account, account_id, user.id, lock=True)
    change_account(account, fields, BY_OWNER)
    commit()
    return account


def change_account(account: Account, changes: Mapping, rules: UpdateRules) -> None:
    """Change the (locked) account's fields, `status` and `active` by `rules`; the caller
    commits. Every account update goes through here."""
    changes = dict(changes)
    active, status = changes.pop("active", None), changes.pop("status", None)
    if rules.recheck:
        _set_checked_fields(account, changes)
    else:
        _set_fields(account, changes)
    _set_state(account, active=active, status=status, rules=rules)


def _set_checked_fields(account: Account, changes: dict) -> None:
    merged = {f: getattr(account, f) for f in ("website",) + TEXT_FIELDS}
    merged |= {f: v for f, v in changes.items() if f in merged}
    row = _checked(merged)
    if row["website"] != account.website:
        group = db.session.get(Group, account.group_id)
        site_id = catalogue.active_sites(group.service_type).get(row["website"])
        if site_id is None:
            raise unsupported_site(group, row["website"])
        account.site_id = site_id
    if (row["website"], row["identity"]) != (account.website, account.identity):
        _ensure_unique(account.group_id, row["website"], row["identity"])
    for field in ("website", "identity") + TEXT_FIELDS:
        setattr(account, field, row.get(field))


def _set_fields(account: Account, changes: dict) -> None:
    """Values already checked by the caller's schema, written as they are."""
    for field, value in changes.items():
        setattr(account, field, value)
    if not (account.username or account.email):
        raise ValidationFailed("An account keeps a username or an email.")
    account.identity = (account.username or account.email).lower()


def _set_state(account: Account, *, active, status, rules: UpdateRules) -> None:
    """`active` follows a new `status` (unless `active` is given), and by the rules `status`
    follows a new `active`; a check in progress may keep `active`."""
    if status is not None:
        account.status = status
        if active is None and not (status == "checking" and rules.checking_keeps_active):
            active = status == "active"
        if rules.status_ends_check:
            account.check_claimed_until = account.check_server_id = None
    if active is not None:
        set_active(account, active)
        if status is None and rules.status_follows_active:
            account.status = "active" if active else "inactive"


def set_active(account: Account, active: bool) -> None:
    """Make the (locked) account active or not, with its group's counter."""
    if bool(account.active) != active:
        counters.add_accounts(account.group_id, active=1 if active else -1)
    account.active = active


def delete_account(user: User, account_id: uuid.UUID) -> None:
    account = get_owned(Account, account_id, user.id)
    _delete_accounts(Account.id == account.id)
    commit()


def bulk_delete_accounts(user: User, ids: Iterable[uuid.UUID]) -> int:
    """Delete those of `ids` that are the user's accounts; how many were deleted."""
    deleted = _delete_accounts(Account.id.in_(list(ids)), Account.user_id == user.id)
    commit()
    return deleted


def _delete_accounts(*where) -> int:
    """Delete the accounts `where` selects, with their groups' counters; how many."""
    gone = db.session.execute(
        delete(Account).where(*where).returning(Account.group_id, Account.active),
        execution_options={"synchronize_session": False},
    ).all()
    per_group = defaultdict(lambda: [0, 0])
    for group_id, active in gone:
        per_group[group_id][0] -= 1
        per_group[group_id][1] -= bool(active)
    for group_id, (total, active) in sorted(per_group.items()):  # lock order: by id
        counters.add_accounts(group_id, total=total, active=active)
    return len(gone)


def export_accounts(user: User, ids: Iterable[uuid.UUID]) -> list[Account]:
    """Those of `ids` that are the user's accounts (others are left out, as if missing)."""
    return list(
        db.session.scalars(
            select(Account)
            .where(Account.id.in_(list(ids)), Account.user_id == user.id)
            .order_by(Account.created_at, Account.website, Account.identity)
        )
    )


def check_account(user: User, account_id: uuid.UUID) -> int:
    """Queue a check of one account (status `checking`; a worker reports the result)."""
    account = get_owned(Account, account_id, user.id)
    account.status = "checking"
    account.check_claimed_until = account.check_server_id = None
    commit()
    return 1


def check_group_accounts(user: User, group_id: uuid.UUID) -> int:
    """Queue a check of every account of the group; how many were queued."""
    group = get_owned(Group, group_id, user.id)
    result = db.session.execute(
        update(Account)
        .where(Account.group_id == group.id)
        .values(status="checking", check_claimed_until=None, check_server_id=None)
    )
    commit()
    return result.rowcount


# --- Checking account input ---------------------------------------------------------------------


def clean_item(item) -> tuple[dict | None, ItemError | None]:
    """An account input checked and normalised: `website` (site name), `identity` and the text
    fields the item gives (absent or null ones are left out); or why it is invalid."""
    if not isinstance(item, Mapping):
        return None, ItemError("_schema", "An account must be an object.")
    unknown = [str(k) for k in item if k not in ITEM_FIELDS]
    if unknown:
        return None, ItemError(unknown[0], f"Unknown field: {', '.join(sorted(unknown))}.")
    row, error = _clean_text_fields(item)
    if error:
        return None, error
    website = item.get("website")
    if not isinstance(website, str) or not website.strip():
        return None, ItemError("website", "A website is required.")
    if len(website) > ACCOUNT_MAX_LENGTHS["website"]:
        return None, ItemError("website", "Longer than 2048 characters.")
    row["website"] = catalogue.normalise_name(website)
    if not row["website"] or len(row["website"]) > MAX_WEBSITE_LENGTH:
        return None, ItemError("website", "Not a site name.")
    identity = row.get("username") or row.get("email")
    if not identity:
        return None, ItemError("username", "A username or an email is required.")
    row["identity"] = identity.lower()
    return row, None


def _clean_text_fields(item: Mapping) -> tuple[dict, ItemError | None]:
    row = {}
    for field in TEXT_FIELDS:
        value = item.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            return row, ItemError(field, "Must be a string.")
        if len(value) > ACCOUNT_MAX_LENGTHS[field]:
            return row, ItemError(field, f"Longer than {ACCOUNT_MAX_LENGTHS[field]} characters.")
        if field in IDENTITY_FIELDS:
            value = value.strip()
            if not value:
                continue
        row[field] = value
    return row, None


def _checked(fields: Mapping) -> dict:
    """clean_item's row, or ValidationFailed naming the field at fault."""
    row, error = clean_item(fields)
    if error:
        raise ValidationFailed(error.message, details={error.field: [error.message]})
    return row


def new_row(group: Group, row: dict, site_id: uuid.UUID, *, now) -> dict:
    """The column values of a new account of `group` from a clean_item row."""
    values = {
        "id": uuid.uuid4(),
        "group_id": group.id,
        "user_id": group.user_id,
        "service_type": group.service_type,
        "site_id": site_id,
        "website": row["website"],
        "identity": row["identity"],
        "created_at": now,
        "updated_at": now,
    }
    return values | {field: row.get(field) for field in TEXT_FIELDS}


def unsupported_site(group: Group, website: str) -> ValidationFailed:
    message = f"{website} is not an active {group.service_type} site."
    return ValidationFailed(message, details={"website": [message]})


def _ensure_unique(group_id: uuid.UUID, website: str, identity: str) -> None:
    taken = db.session.scalar(
        select(Account.id).where(
            Account.group_id == group_id, Account.website == website, Account.identity == identity
        )
    )
    if taken is not None:
        raise Conflict(f"The group already has an account on {website} for {identity}.")


def commit() -> None:
    """Commit; an account written at the same time with the same website and identity is a
    409 (the unique index of the group's accounts)."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(
            "An account with the same website and username/email was written at the same "
            "time; try again."
        ) from exc
