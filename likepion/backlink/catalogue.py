"""The sites catalogue: loading it from CSV/JSON files (idempotent, set-based), listing and
counting it."""

import csv
import io
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from likepion.backlink.models import Site
from likepion.core.db import batched, db
from likepion.core.enums import ServiceType, SiteRole
from likepion.core.errors import Conflict, ValidationFailed
from likepion.core.pagination import Page, paginate

DEFAULT_CATALOGUE = Path(__file__).parent / "data" / "sites.csv"
FIELDS = ("service_type", "name", "role")
REQUIRED_FIELDS = ("service_type", "name")
CHUNK = 1000

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}\Z){_LABEL}(?:\.{_LABEL})+\Z")
SERVICE_TYPES = frozenset(t.value for t in ServiceType)
ROLES = frozenset(r.value for r in SiteRole)
_TYPES = ", ".join(t.value for t in ServiceType)
_ROLES = " or ".join(r.value for r in SiteRole)


def normalise_name(raw: str) -> str:
    """`https://www.Example.com/path` -> `example.com`: lower case, no scheme, `www.` or path."""
    name = _SCHEME.sub("", raw.strip().lower())
    name = re.split(r"[/?#]", name, maxsplit=1)[0].rstrip(".")
    if name.startswith("www.") and "." in name[4:]:
        name = name[4:]
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return name
    return name


def parse_sites_file(path: str | Path) -> list[dict]:
    """The rows of a CSV (header `service_type,name[,role]`) or JSON (list of objects) file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ValidationFailed(f"File not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ValidationFailed(f"{path} is a directory, not a file") from exc
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path} is not UTF-8 text") from exc
    except OSError as exc:
        raise ValidationFailed(f"Cannot read {path}: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    is_json = suffix == ".json" or (suffix != ".csv" and text.lstrip()[:1] in ("[", "{"))
    rows = _parse_json(path, text) if is_json else _parse_csv(path, text)
    if not rows:
        raise ValidationFailed(f"{path} has no sites")
    return rows


def seed_sites(
    rows: Iterable[Mapping], *, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Upsert rows by (service_type, name) in one transaction, checking all before writing any."""
    report = progress or (lambda _n: None)
    wanted, duplicates = _clean_rows(rows)
    new, changed, unchanged = _compare_with_catalogue(wanted)
    report(unchanged + duplicates)
    try:
        _write_sites(new, changed, report)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("The catalogue changed while seeding; run the command again.") from exc
    updated = sum(len(names) for names in changed.values())
    counts = {"created": len(new), "updated": updated, "unchanged": unchanged}
    if duplicates:
        counts["duplicates"] = duplicates
    return counts


def _compare_with_catalogue(wanted: dict[tuple[str, str], str]):
    """(new rows, names whose role changed by (service_type, role), how many are unchanged)."""
    existing = {
        (service_type, name): role
        for service_type, name, role in db.session.execute(
            select(Site.service_type, Site.name, Site.role)
        )
    }
    new, changed, unchanged = [], defaultdict(list), 0
    for (service_type, name), role in wanted.items():
        if (service_type, name) not in existing:
            new.append({"service_type": service_type, "name": name, "role": role})
        elif existing[(service_type, name)] != role:
            changed[(service_type, role)].append(name)
        else:
            unchanged += 1
    return new, changed, unchanged


def _write_sites(new: list[dict], changed: dict, report: Callable[[int], None]) -> None:
    for chunk in batched(new, CHUNK):
        db.session.execute(insert(Site.__table__), chunk)
        report(len(chunk))
    for (service_type, role), names in changed.items():
        for chunk in batched(names, CHUNK):
            db.session.execute(
                update(Site.__table__)
                .where(Site.service_type == service_type, Site.name.in_(chunk))
                .values(role=role)
            )
            report(len(chunk))


def list_sites(
    type: str | None = None,
    *,
    active: bool | None = None,
    search: str | None = None,
    page: int = 1,
    limit: int | None = None,
) -> Page:
    """The catalogue (all types unless `type`), ordered by type, role and name: one page of
    `limit` sites, or every site when `limit` is None (`flask sites list`)."""
    stmt = select(Site).order_by(Site.service_type, Site.role, Site.name, Site.id)
    if type is not None:
        stmt = stmt.where(Site.service_type == _service_type(type))
    if active is not None:
        stmt = stmt.where(Site.active.is_(active))
    if search:
        stmt = stmt.where(Site.name.icontains(search.strip().lower(), autoescape=True))
    if limit is None:
        sites = list(db.session.scalars(stmt))
        return Page(items=sites, total=len(sites), page=1, limit=len(sites))
    return paginate(stmt, page, limit)


def count_sites(service_type: str) -> int:
    """How many active catalogue sites the service type has."""
    return len(active_sites(service_type))


def active_sites(service_type: str) -> dict[str, uuid.UUID]:
    """The service type's active sites: id by name."""
    return dict(
        db.session.execute(
            select(Site.name, Site.id).where(
                Site.service_type == service_type, Site.active.is_(True)
            )
        ).all()
    )


def _parse_json(path: Path, text: str) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    if isinstance(data, dict) and isinstance(data.get("sites"), list):
        data = data["sites"]
    if not isinstance(data, list):
        raise ValidationFailed(f'{path} must hold a list of sites (or {{"sites": [...]}})')
    return data


def _parse_csv(path: Path, text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="\0extra")
    try:
        header = reader.fieldnames
        if not header:
            raise ValidationFailed(f"{path} is empty; expected a header row service_type,name,role")
        reader.fieldnames = columns = [(column or "").strip().lower() for column in header]
        unknown = [c for c in columns if c not in FIELDS]
        missing = [c for c in REQUIRED_FIELDS if c not in columns]
        if unknown or missing or len(set(columns)) != len(columns):
            raise ValidationFailed(
                f"{path}: the header must be service_type,name[,role]; found {','.join(columns)}"
            )
        rows = []
        for number, row in enumerate(reader, start=1):
            if "\0extra" in row:
                raise ValidationFailed(f"{path}: row {number} has more values than the header")
            rows.append(row)
    except csv.Error as exc:
        raise ValidationFailed(f"{path} is not valid CSV: line {reader.line_num}: {exc}") from exc
    return rows


def _clean_rows(rows: Iterable[Mapping]) -> tuple[dict[tuple[str, str], str], int]:
    wanted: dict[tuple[str, str], str] = {}
    first_row: dict[tuple[str, str], int] = {}
    duplicates = 0
    for number, row in enumerate(rows, start=1):
        service_type, name, role = _clean_row(number, row)
        key = (service_type, name)
        if key in wanted:
            if wanted[key] != role:
                raise ValidationFailed(
                    f"row {number}: {service_type} site {name} is already in row "
                    f"{first_row[key]} with role {wanted[key]}"
                )
            duplicates += 1
            continue
        wanted[key] = role
        first_row[key] = number
    return wanted, duplicates


def _clean_row(number: int, row) -> tuple[str, str, str]:
    if not isinstance(row, Mapping):
        raise ValidationFailed(f"row {number}: expected an object with service_type, name, role")
    unknown = sorted(str(k) for k in row if k not in FIELDS)
    if unknown:
        raise ValidationFailed(f"row {number}: unknown field {', '.join(unknown)}")
    service_type = _service_type(_text(number, row, "service_type"), f"row {number}: ")
    raw_name = _text(number, row, "name")
    name = normalise_name(raw_name)
    if not _HOSTNAME.fullmatch(name):
        raise ValidationFailed(f"row {number}: {raw_name!r} is not a domain name")
    role = (_text(number, row, "role", required=False) or SiteRole.PRIMARY).lower()
    if role not in ROLES:
        raise ValidationFailed(f"row {number}: unknown role {role!r} (expected {_ROLES})")
    return service_type, name, role


def _text(number: int, row: Mapping, field: str, *, required: bool = True) -> str:
    value = row.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        kind = "is missing" if value is None else "must be text"
        raise ValidationFailed(f"row {number}: {field} {kind}")
    value = value.strip()
    if required and not value:
        raise ValidationFailed(f"row {number}: {field} is empty")
    return value


def _service_type(value: str, where: str = "") -> str:
    value = value.strip().lower()
    if value not in SERVICE_TYPES:
        raise ValidationFailed(f"{where}unknown service type {value!r} (expected {_TYPES})")
    return value
