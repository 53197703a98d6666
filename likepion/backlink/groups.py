"""Groups (a user's pools of third-party accounts) and their accounts: CRUD, imports, checks.

Imports are set-based so 10,000 accounts fit in one call: the group's existing identities and
the service type's active sites are read once, every item is checked in Python, new accounts
are inserted in chunks (executemany) and overwrites are one bulk UPDATE by primary key.
Credentials are encrypted by the `Encrypted` column type on the way in.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer_group

from likepion.auth.models import User
from likepion.backlink import counters
from likepion.backlink.catalogue import normalise_name
from likepion.backlink.models import Account, Group, Site
from likepion.backlink.schemas import ACCOUNT_MAX_LENGTHS
from likepion.core.db import batched, db, get_owned
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
INSERT_CHUNK = 1000
MAX_NAMED_UNSUPPORTED = 50  # in the message; `details` lists up to 1,000
# The accounts page's order (index ix_accounts_group_created).
ACCOUNT_ORDER = (Account.created_at.desc(), Account.website, Account.identity)


@dataclass
class ImportCounts:
    imported: int = 0
    overwritten: int = 0
    duplicates: int = 0
    unsupported: int = 0
    failed: int = 0
    # One entry per item not imported: {index, reason (invalid|unsupported|duplicate), field,
    # message}, in item order.
    errors: list[dict] = dataclass_field(default_factory=list)

    def skip(self, index: int, reason: str, field: str, message: str) -> None:
        self.errors.append({"index": index, "reason": reason, "field": field, "message": message})


# --- Sites ------------------------------------------------------------------------------------


def count_sites(service_type: str) -> int:
    """How many active catalogue sites the service type has."""
    return len(_active_sites(service_type))


def list_sites(
    *,
    page: int,
    limit: int,
    type: str | None = None,
    active: bool | None = None,
    search: str | None = None,
) -> Page:
    """The catalogue (all types unless `type`), ordered by type, role and name."""
    stmt = select(Site).order_by(Site.service_type, Site.role, Site.name, Site.id)
    if type is not None:
        stmt = stmt.where(Site.service_type == type)
    if active is not None:
        stmt = stmt.where(Site.active.is_(active))
    if search:
        stmt = stmt.where(Site.name.icontains(search.strip().lower(), autoescape=True))
    return paginate(stmt, page, limit)


# --- Groups -----------------------------------------------------------------------------------


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
        _commit()
        return group
    counts = _import_items(group, accounts, overwrite=False, skip_unsupported=skip_unsupported)
    _commit()
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
    _commit()
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
    _commit()


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
    counts = _import_items(group, accounts, overwrite=overwrite, skip_unsupported=skip_unsupported)
    _commit()
    return {"group": {"id": group.id, "name": group.name}, **asdict(counts)}


# --- Accounts ---------------------------------------------------------------------------------


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
    row, error = clean_item(fields)
    if error:
        raise ValidationFailed(error.message, details={error.field: [error.message]})
    site_id = _active_sites(group.service_type).get(row["website"])
    if site_id is None:
        raise _unsupported_site(group, row["website"])
    _ensure_unique(group.id, row["website"], row["identity"])
    account = Account(**_new_row(group, row, site_id, now=utcnow()), active=True, status="active")
    db.session.add(account)
    counters.add_accounts(group.id, total=1, active=1)
    _commit()
    return account


def import_accounts(
    user: User,
    group_id: uuid.UUID,
    *,
    accounts: list,
    overwrite: bool = False,
    skip_unsupported: bool = True,
) -> dict:
    """Add `accounts` to the user's group; the counters of docs/api-backlink.md. The group
    is locked, so concurrent imports into it queue and count each other's rows as duplicates."""
    group = get_owned(Group, group_id, user.id, lock=True)
    counts = _import_items(group, accounts, overwrite=overwrite, skip_unsupported=skip_unsupported)
    _commit()
    return asdict(counts)


def update_account(user: User, account_id: uuid.UUID, **fields) -> Account:
    """Change an account's fields; a changed website or identity is checked like a new one."""
    account = get_owned(Account, account_id, user.id, lock=True)
    merged = {f: getattr(account, f) for f in ("website",) + TEXT_FIELDS}
    merged |= {f: v for f, v in fields.items() if f in merged}
    row, error = clean_item(merged)
    if error:
        raise ValidationFailed(error.message, details={error.field: [error.message]})
    if row["website"] != account.website:
        group = db.session.get(Group, account.group_id)
        site_id = _active_sites(group.service_type).get(row["website"])
        if site_id is None:
            raise _unsupported_site(group, row["website"])
        account.site_id = site_id
    if (row["website"], row["identity"]) != (account.website, account.identity):
        _ensure_unique(account.group_id, row["website"], row["identity"])
    for field in ("website", "identity") + TEXT_FIELDS:
        setattr(account, field, row.get(field))
    _set_state(account, active=fields.get("active"), status=fields.get("status"))
    _commit()
    return account


def delete_account(user: User, account_id: uuid.UUID) -> None:
    account = get_owned(Account, account_id, user.id)
    _delete_accounts(Account.id == account.id)
    _commit()


def bulk_delete_accounts(user: User, ids: Iterable[uuid.UUID]) -> int:
    """Delete those of `ids` that are the user's accounts; how many were deleted."""
    deleted = _delete_accounts(Account.id.in_(list(ids)), Account.user_id == user.id)
    _commit()
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
    _commit()
    return 1


def check_group_accounts(user: User, group_id: uuid.UUID) -> int:
    """Queue a check of every account of the group; how many were queued."""
    group = get_owned(Group, group_id, user.id)
    result = db.session.execute(
        update(Account)
        .where(Account.group_id == group.id)
        .values(status="checking", check_claimed_until=None, check_server_id=None)
    )
    _commit()
    return result.rowcount


# --- Checking and writing accounts --------------------------------------------------------------


@dataclass(frozen=True)
class ItemError:
    field: str
    message: str


def clean_item(item) -> tuple[dict | None, ItemError | None]:
    """An account input checked and normalised: `website` (site name), `identity` and the text
    fields the item gives (absent or null ones are left out); or why it is invalid."""
    if not isinstance(item, Mapping):
        return None, ItemError("_schema", "An account must be an object.")
    unknown = [str(k) for k in item if k not in ITEM_FIELDS]
    if unknown:
        return None, ItemError(unknown[0], f"Unknown field: {', '.join(sorted(unknown))}.")
    row = {}
    for field in TEXT_FIELDS:
        value = item.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            return None, ItemError(field, "Must be a string.")
        if len(value) > ACCOUNT_MAX_LENGTHS[field]:
            return None, ItemError(field, f"Longer than {ACCOUNT_MAX_LENGTHS[field]} characters.")
        if field in IDENTITY_FIELDS:
            value = value.strip()
            if not value:
                continue
        row[field] = value
    website = item.get("website")
    if not isinstance(website, str) or not website.strip():
        return None, ItemError("website", "A website is required.")
    if len(website) > ACCOUNT_MAX_LENGTHS["website"]:
        return None, ItemError("website", "Longer than 2048 characters.")
    row["website"] = normalise_name(website)
    if not row["website"] or len(row["website"]) > MAX_WEBSITE_LENGTH:
        return None, ItemError("website", "Not a site name.")
    identity = row.get("username") or row.get("email")
    if not identity:
        return None, ItemError("username", "A username or an email is required.")
    row["identity"] = identity.lower()
    return row, None


def _import_items(
    group: Group, items: list, *, overwrite: bool, skip_unsupported: bool
) -> ImportCounts:
    """Classify every item (failed, unsupported, duplicate, overwrite, new) and write the new
    and overwritten accounts set-based. Within one batch the first item of an account is the
    one imported; a later one is a duplicate, or with `overwrite` replaces the fields it gives."""
    sites = _active_sites(group.service_type)
    existing = {
        (website, identity): account_id
        for account_id, website, identity in db.session.execute(
            select(Account.id, Account.website, Account.identity).where(
                Account.group_id == group.id
            )
        )
    }
    counts = ImportCounts()
    new: dict[tuple[str, str], dict] = {}
    first_index: dict[tuple[str, str], int] = {}
    updates: dict[uuid.UUID, dict] = {}
    unsupported_sites: set[str] = set()
    for index, item in enumerate(items):
        row, error = clean_item(item)
        if error:
            counts.failed += 1
            counts.skip(index, "invalid", error.field, error.message)
            continue
        site_id = sites.get(row["website"])
        if site_id is None:
            counts.unsupported += 1
            unsupported_sites.add(row["website"])
            counts.skip(
                index, "unsupported", "website", _unsupported_site(group, row["website"]).message
            )
            continue
        key = (row["website"], row["identity"])
        if key in new or key in existing:
            if not overwrite:
                counts.duplicates += 1
                counts.skip(index, "duplicate", *_duplicate_of(row, first_index.get(key)))
                continue
            counts.overwritten += 1
            if key in new:
                new[key].update(row)
            else:
                account_id = existing[key]
                updates.setdefault(account_id, {"id": account_id, "site_id": site_id})
                updates[account_id].update(row)
            continue
        new[key] = row | {"site_id": site_id}
        first_index[key] = index
    if unsupported_sites and not skip_unsupported:
        named = sorted(unsupported_sites)
        raise ValidationFailed(
            f"{counts.unsupported} account(s) are on sites that are not active "
            f"{group.service_type} sites: {', '.join(named[:MAX_NAMED_UNSUPPORTED])}"
            + (" ..." if len(named) > MAX_NAMED_UNSUPPORTED else ""),
            details={"unsupported": named[:1000]},
        )
    counts.imported = len(new)
    _insert_accounts(group, new.values())
    _update_accounts(updates.values())
    return counts


def _duplicate_of(row: dict, earlier: int | None) -> tuple[str, str]:
    """(field, message) of an item that repeats an account of the group or of the batch."""
    field = "username" if row.get("username") else "email"
    where = f"item {earlier} of this import" if earlier is not None else "the group"
    return field, f"{where.capitalize()} already has {row['identity']} on {row['website']}."


def _new_row(group: Group, row: dict, site_id: uuid.UUID, *, now) -> dict:
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


def _insert_accounts(group: Group, rows: Iterable[dict]) -> None:
    now = utcnow()
    values = [
        _new_row(group, row, row["site_id"], now=now)
        | {"active": True, "status": "active", "is_indexed": False}
        for row in rows
    ]
    table = Account.__table__
    for chunk in batched(values, INSERT_CHUNK):
        db.session.execute(insert(table), chunk)
    counters.add_accounts(group.id, total=len(values), active=len(values))


def _update_accounts(rows: Iterable[dict]) -> None:
    """Bulk UPDATE by primary key, one executemany per set of given fields."""
    now = utcnow()
    by_fields = defaultdict(list)
    for row in rows:
        by_fields[frozenset(row)].append(row | {"updated_at": now})
    for batch in by_fields.values():
        for chunk in batched(batch, INSERT_CHUNK):
            db.session.execute(update(Account), chunk)


def _active_sites(service_type: str) -> dict[str, uuid.UUID]:
    return dict(
        db.session.execute(
            select(Site.name, Site.id).where(
                Site.service_type == service_type, Site.active.is_(True)
            )
        ).all()
    )


def _unsupported_site(group: Group, website: str) -> ValidationFailed:
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


def _set_state(account: Account, *, active: bool | None, status: str | None) -> None:
    """`active` follows `status` (a check in progress keeps it), and `status` follows `active`,
    unless both are given."""
    if status is not None:
        account.status = status
        if active is None and status != "checking":
            active = status == "active"
    if active is not None:
        set_active(account, active)
        if status is None:
            account.status = "active" if active else "inactive"


def set_active(account: Account, active: bool) -> None:
    """Make the (locked) account active or not, with its group's counter."""
    if bool(account.active) != active:
        counters.add_accounts(account.group_id, active=1 if active else -1)
    account.active = active


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(
            "An account with the same website and username/email was written at the same "
            "time; try again."
        ) from exc
