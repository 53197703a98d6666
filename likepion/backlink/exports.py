"""Exports as downloads: JSON, CSV or TXT, with a Content-Disposition filename."""

import csv
import io
import json
from collections.abc import Callable, Iterable

from flask import Response

MIMETYPES = {"json": "application/json", "csv": "text/csv", "txt": "text/plain"}
# A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def download(
    rows: Iterable[dict],
    *,
    fmt: str,
    filename: str,
    columns: list[str],
    txt_line: Callable[[dict], str],
    json_body: Callable[[list[dict]], object] = lambda rows: rows,
) -> Response:
    """`rows` (already plain dicts) rendered as `fmt` and sent as `<filename>.<fmt>`."""
    rows = list(rows)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
        body = buffer.getvalue()
    elif fmt == "txt":
        body = "".join(txt_line(row) + "\n" for row in rows)
    else:
        body = json.dumps(json_body(rows), default=str)
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def csv_cell(value):
    """A value as a CSV cell: None is empty, text a spreadsheet would run as a formula gets a
    leading `'` so it shows as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
