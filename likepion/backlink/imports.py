"""Imports of many accounts into a group at once (a new group's, or an existing one's).

Imports are set-based so 10,000 accounts fit in one call: the group's existing identities and
the service type's active sites are read once, every item is checked in Python, new accounts
are inserted in chunks (executemany) and overwrites are one bulk UPDATE by primary key.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field

from sqlalchemy import insert, select, update

from likepion.auth.models import User
from likepion.backlink import accounts, catalogue, counters
from likepion.backlink.accounts import commit as commit_accounts
from likepion.backlink.models import Account, Group
from likepion.core.db import batched, db, get_owned
from likepion.core.errors import ValidationFailed
from likepion.core.time import utcnow

INSERT_CHUNK = 1000
MAX_NAMED_UNSUPPORTED = 50  # in the message; `details` lists up to 1,000

Key = tuple[str, str]  # (website, identity): one account of a group


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
    counts = import_items(group, accounts, overwrite=overwrite, skip_unsupported=skip_unsupported)
    commit_accounts()  # `accounts` is the items here
    return asdict(counts)


@dataclass
class _Batch:
    """The items of one import sorted out: new accounts, overwrites of the group's, skips.
    Within one batch the first item of an account is the one imported; a later one is a
    duplicate, or with `overwrite` replaces the fields it gives."""

    group: Group
    sites: dict[str, uuid.UUID]
    existing: dict[Key, uuid.UUID]
    overwrite: bool
    counts: ImportCounts = dataclass_field(default_factory=ImportCounts)
    new: dict[Key, dict] = dataclass_field(default_factory=dict)
    first_index: dict[Key, int] = dataclass_field(default_factory=dict)
    updates: dict[uuid.UUID, dict] = dataclass_field(default_factory=dict)
    unsupported_sites: set[str] = dataclass_field(default_factory=set)

    def add(self, index: int, item) -> None:
        row, error = accounts.clean_item(item)
        if error:
            self.counts.failed += 1
            self.counts.skip(index, "invalid", error.field, error.message)
            return
        site_id = self.sites.get(row["website"])
        if site_id is None:
            self.counts.unsupported += 1
            self.unsupported_sites.add(row["website"])
            message = accounts.unsupported_site(self.group, row["website"]).message
            self.counts.skip(index, "unsupported", "website", message)
            return
        key = (row["website"], row["identity"])
        if key in self.new or key in self.existing:
            self._add_again(index, key, row, site_id)
            return
        self.new[key] = row | {"site_id": site_id}
        self.first_index[key] = index

    def _add_again(self, index: int, key: Key, row: dict, site_id: uuid.UUID) -> None:
        """An item for an account of the group or of the batch: a duplicate, or an overwrite."""
        if not self.overwrite:
            self.counts.duplicates += 1
            self.counts.skip(index, "duplicate", *_duplicate_of(row, self.first_index.get(key)))
            return
        self.counts.overwritten += 1
        if key in self.new:
            self.new[key].update(row)
            return
        account_id = self.existing[key]
        self.updates.setdefault(account_id, {"id": account_id, "site_id": site_id})
        self.updates[account_id].update(row)


def import_items(
    group: Group, items: list, *, overwrite: bool, skip_unsupported: bool
) -> ImportCounts:
    """Classify every item (failed, unsupported, duplicate, overwrite, new) and write the new
    and overwritten accounts set-based; the caller commits."""
    batch = _Batch(
        group,
        sites=catalogue.active_sites(group.service_type),
        existing=_identities(group),
        overwrite=overwrite,
    )
    for index, item in enumerate(items):
        batch.add(index, item)
    if batch.unsupported_sites and not skip_unsupported:
        raise _unsupported_sites(group, batch)
    batch.counts.imported = len(batch.new)
    _insert_accounts(group, batch.new.values())
    _update_accounts(batch.updates.values())
    return batch.counts


def _identities(group: Group) -> dict[Key, uuid.UUID]:
    rows = db.session.execute(
        select(Account.id, Account.website, Account.identity).where(Account.group_id == group.id)
    )
    return {(website, identity): account_id for account_id, website, identity in rows}


def _unsupported_sites(group: Group, batch: _Batch) -> ValidationFailed:
    named = sorted(batch.unsupported_sites)
    return ValidationFailed(
        f"{batch.counts.unsupported} account(s) are on sites that are not active "
        f"{group.service_type} sites: {', '.join(named[:MAX_NAMED_UNSUPPORTED])}"
        + (" ..." if len(named) > MAX_NAMED_UNSUPPORTED else ""),
        details={"unsupported": named[:1000]},
    )


def _duplicate_of(row: dict, earlier: int | None) -> tuple[str, str]:
    """(field, message) of an item that repeats an account of the group or of the batch."""
    field = "username" if row.get("username") else "email"
    where = f"item {earlier} of this import" if earlier is not None else "the group"
    return field, f"{where.capitalize()} already has {row['identity']} on {row['website']}."


def _insert_accounts(group: Group, rows: Iterable[dict]) -> None:
    now = utcnow()
    values = [
        accounts.new_row(group, row, row["site_id"], now=now)
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
