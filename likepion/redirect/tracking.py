"""Who visited (country, browser, OS, device, referrer, a daily visitor hash) and the click buffer.

A click never costs the visitor a database transaction: rows wait in a per-process buffer that
is written with one multi-row INSERT (and one upsert per rollup key of the batch) when it holds
CLICK_BATCH_SIZE rows, and by a background thread every CLICK_FLUSH_SECONDS. A clean shutdown
(gunicorn's worker_exit hook, atexit) writes what is left; a crash loses at most the last
CLICK_FLUSH_SECONDS of clicks.
"""

import atexit
import hashlib
import logging
import math
import os
import re
import threading
import time
import weakref
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple
from urllib.parse import urlsplit

import iptocc
from flask import Flask, current_app, request
from psycopg import IntegrityError as DriverIntegrityError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from ua_parser import parse as parse_user_agent

from likepion.core import metrics
from likepion.core.db import db
from likepion.core.time import as_utc, utcnow
from likepion.shortener import rollups
from likepion.shortener.models import QrCode, ShortUrl

log = logging.getLogger(__name__)
BOTS = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|embedly|preview|monitor|lighthouse|"
    r"python-requests|go-http-client|scrapy",
    re.IGNORECASE,
)
CLICK_COLUMNS = (
    "short_url_id", "qr_code_id", "created_at", "country", "referrer_host", "browser", "os",
    "visitor",
)  # fmt: skip
MAX_PENDING = 100_000  # kept for a retry while the database is unreachable
_buffers = weakref.WeakSet()


class Visit(NamedTuple):  # a tuple: built on every visit, several times cheaper than a dataclass
    country: str | None
    browser: str | None
    os: str | None
    device: str  # iphone, ipad, android, windows, macos, linux or other
    form: str  # desktop, mobile or tablet
    referrer_host: str | None
    visitor: str
    is_bot: bool


def visit_of_request() -> Visit:
    """The visitor of the current request, from local lookups only (no network)."""
    environ = request.environ  # the headers read straight from it: this runs on every visit
    agent = environ.get("HTTP_USER_AGENT", "")
    ip = environ.get("REMOTE_ADDR") or ""
    browser, os_name, device, form, is_bot = _agent(agent)
    return Visit(
        country=_country(ip),
        browser=browser,
        os=os_name,
        device=device,
        form=form,
        referrer_host=_host(environ.get("HTTP_REFERER")),
        visitor=_visitor(ip, agent),
        is_bot=is_bot,
    )


def record_click(visit: Visit, *, short_url_id=None, qr_code_id=None) -> None:
    """Queue one click (bots are not counted)."""
    if visit.is_bot or request.method == "HEAD":
        return
    buffer(current_app._get_current_object()).add(
        {
            "short_url_id": short_url_id,
            "qr_code_id": qr_code_id,
            "created_at": utcnow(),
            "country": visit.country,
            "referrer_host": visit.referrer_host,
            "browser": visit.browser,
            "os": visit.os,
            "visitor": visit.visitor,
        }
    )


class ClickBuffer:
    """Rows waiting for one multi-row INSERT; safe to use from request and flusher threads."""

    def __init__(self, app: Flask):
        self.app = app
        self._rows: list[dict] = []
        self._added = 0  # since the last flush; counted into the metric by the flush
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._flusher_pid = None
        self._failed_at = -math.inf
        _buffers.add(self)

    def add(self, row: dict) -> None:
        with self._lock:
            self._rows.append(row)
            self._added += 1
            full = len(self._rows) >= self.app.config["CLICK_BATCH_SIZE"]
        if full and not self._backing_off():
            self.flush()
        elif self._flusher_pid != os.getpid():
            self._start_flusher()

    def _backing_off(self) -> bool:
        """After a failed write (the database away) the flusher thread alone retries until
        CLICK_FLUSH_SECONDS pass: visitors do not each wait on a connection attempt."""
        return time.monotonic() - self._failed_at < self.app.config["CLICK_FLUSH_SECONDS"]

    def flush(self) -> int:
        """Write every waiting row; on a database error keep them for the next try.

        One flush at a time: the exit hook's flush waits for the flusher thread's write in
        progress, so the process cannot end between taking rows and committing them.
        """
        with self._writing:
            with self._lock:
                rows, self._rows = self._rows, []
                added, self._added = self._added, 0
            metrics.CLICKS_BUFFERED.inc(added)  # here, not per click: a metric write costs
            if not rows:
                return 0
            try:
                with self.app.app_context():
                    rows = _write_live(db.engine, rows)
            except Exception:
                self._failed_at = time.monotonic()
                log.exception("writing %d clicks failed; keeping them for the next try", len(rows))
                with self._lock:
                    self._rows[:0] = rows[-MAX_PENDING:]
                metrics.CLICKS_DROPPED.inc(max(0, len(rows) - MAX_PENDING))
                return 0
            metrics.CLICKS_WRITTEN.inc(len(rows))
            return len(rows)

    def _start_flusher(self) -> None:
        """One daemon thread per process (a forked gunicorn worker starts its own)."""
        with self._lock:
            if self._flusher_pid == os.getpid():
                return
            self._flusher_pid = os.getpid()
        interval = self.app.config["CLICK_FLUSH_SECONDS"]

        def run():
            while True:
                time.sleep(interval)
                self.flush()

        threading.Thread(target=run, name="click-flusher", daemon=True).start()


def _write_live(engine, rows: list[dict]) -> list[dict]:
    """Write the rows; when a link or QR code was deleted since its clicks were buffered (a
    foreign key violation), drop those clicks and write the rest, instead of failing the whole
    batch at every try from then on. Returns the rows written."""
    try:
        _write(engine, rows)
        return rows
    except (IntegrityError, DriverIntegrityError):
        live = _of_live_targets(engine, rows)
        if live:
            _write(engine, live)  # if this fails too, every row is kept and judged again
        log.warning("dropped %d clicks of deleted links or QR codes", len(rows) - len(live))
        metrics.CLICKS_DROPPED.inc(len(rows) - len(live))
        return live


def _of_live_targets(engine, rows: list[dict]) -> list[dict]:
    links = {row["short_url_id"] for row in rows} - {None}
    codes = {row["qr_code_id"] for row in rows} - {None}
    with engine.connect() as conn:
        links = set(conn.scalars(select(ShortUrl.id).where(ShortUrl.id.in_(links))))
        codes = set(conn.scalars(select(QrCode.id).where(QrCode.id.in_(codes))))
    return [row for row in rows if row["short_url_id"] in links or row["qr_code_id"] in codes]


def _write(engine, rows: list[dict]) -> None:
    """One transaction: the raw rows, then their counts in the rollups (rollups.add_clicks).

    On PostgreSQL the rows go by COPY (a third of the INSERT's Python time per row) and the
    transaction commits asynchronously: no wait for the WAL flush, at the price of the last
    fraction of a second of clicks if the database server itself crashes. On SQLite they go
    straight to the driver's executemany, without the ORM's work per row."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            _copy(connection, rows)
        else:
            connection.exec_driver_sql(SQLITE_INSERT, [_sqlite_row(row) for row in rows])
        rollups.add_clicks(connection, rows)


_click_values = itemgetter(*CLICK_COLUMNS)
_CREATED_AT = CLICK_COLUMNS.index("created_at")
SQLITE_INSERT = "INSERT INTO clicks ({}) VALUES ({})".format(
    ", ".join(CLICK_COLUMNS), ", ".join("?" * len(CLICK_COLUMNS))
)
POSTGRESQL_COPY = f"COPY clicks ({', '.join(CLICK_COLUMNS)}) FROM STDIN"


def _sqlite_row(row: dict) -> tuple:
    """The row's values, its time in the text form SQLAlchemy stores on SQLite (UTC)."""
    values = _click_values(row)
    at = as_utc(values[_CREATED_AT]).replace(tzinfo=None).isoformat(" ", "microseconds")
    return (*values[:_CREATED_AT], at, *values[_CREATED_AT + 1 :])


def _copy(connection, rows: list[dict]) -> None:
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(POSTGRESQL_COPY) as copy:
            for row in rows:
                copy.write_row(_click_values(row))


def buffer(app: Flask) -> ClickBuffer:
    """This app's buffer in this process (`app` is the real app, not the current_app proxy)."""
    found = app.extensions.get("click_buffer")
    if found is None:  # setdefault: threads racing here all get the same buffer
        found = app.extensions.setdefault("click_buffer", ClickBuffer(app))
    return found


def flush_all() -> int:
    """Write every buffer of this process (gunicorn's worker_exit hook, interpreter exit)."""
    return sum(each.flush() for each in list(_buffers))


atexit.register(flush_all)


def warm_up() -> None:
    """Build the user-agent parser's tables (about 0.4 s) ahead of the first visit."""
    _agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36")
    _country("192.0.2.1")


@lru_cache(maxsize=4096)
def _agent(agent: str) -> tuple:
    """(browser, OS like "Windows 10", device, form factor, is a bot) of a user agent."""
    parsed = parse_user_agent(agent) if agent else None
    if parsed is None:
        return None, None, "other", "desktop", bool(BOTS.search(agent))
    browser = parsed.user_agent.family if parsed.user_agent else None
    os_family = parsed.os.family if parsed.os else None
    os_name = f"{os_family} {parsed.os.major}" if os_family and parsed.os.major else os_family
    model = parsed.device.family if parsed.device else ""
    device, form = _device(os_family or "", model, agent)
    return browser, os_name, device, form, model == "Spider" or bool(BOTS.search(agent))


def _device(os_family: str, model: str, agent: str) -> tuple[str, str]:
    if model == "iPad":
        return "ipad", "tablet"
    if os_family == "iOS":
        return "iphone", "mobile"
    if os_family == "Android":
        return "android", "mobile" if "Mobile" in agent else "tablet"
    desktops = {"Windows": "windows", "Mac OS X": "macos", "Linux": "linux", "Ubuntu": "linux"}
    return desktops.get(os_family, "other"), "desktop"


def _country(ip: str) -> str | None:
    """The country the address block is registered to (iptocc's offline registry data)."""
    try:
        return iptocc.country_code(ip)
    except ValueError:
        return None


def _host(referrer: str | None) -> str | None:
    if not referrer:
        return None
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return None
    return host[:255] if host else None


def _visitor(ip: str, agent: str) -> str:
    """A salted hash of today, the IP and the user agent: unique visitors without the IP."""
    digest = _salted_day(current_app.config["SECRET_KEY"], int(time.time() // 86400)).copy()
    digest.update(f"{ip}|{agent}".encode())
    return digest.hexdigest()[:32]


@lru_cache(maxsize=4)
def _salted_day(salt: str, day_number: int):
    """SHA-256 fed with `salt|YYYY-MM-DD|` of that UTC day, copied for each visitor."""
    day = datetime.fromtimestamp(day_number * 86400, UTC).date().isoformat()
    return hashlib.sha256(f"{salt}|{day}|".encode())
