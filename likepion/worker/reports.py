"""What workers report: the outcome of claimed links, and links they posted on secondary sites
(seed 002 sections 1 and 3). Per-item outcomes: one bad item does not stop the others."""

from dataclasses import dataclass, field

from sqlalchemy import select

from likepion.auth.models import Server
from likepion.backlink import progress
from likepion.backlink.models import Link, Request
from likepion.core import metrics
from likepion.core.db import db
from likepion.core.time import utcnow
from likepion.worker import claims, podcast

RESULT_FIELDS = (
    "link_profile",
    "link_post",
    "about",
    "email",
    "username",
    "password",
    "note",
    "error_message",
    "is_indexed",
)
NOT_HELD = "This server does not hold a live claim on the link."


@dataclass
class ItemOutcome:
    """One reported item: its link's new status, or why it changed nothing."""

    index: int
    id: str
    success: bool
    status: str | None = None
    error: str | None = None


@dataclass
class Report:
    results: list[ItemOutcome] = field(default_factory=list)

    @property
    def input(self) -> int:
        return len(self.results)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.results if r.success)

    @property
    def failed(self) -> int:
        return self.input - self.updated


@dataclass
class Inserted:
    """The outcome of a links/insert call: `input` items, one result per row (podcast)."""

    input: int
    results: list[podcast.InsertedRow]

    @property
    def count(self) -> int:
        return len(self.results)

    @property
    def inserted(self) -> int:
        return sum(1 for r in self.results if r.success)

    @property
    def failed(self) -> int:
        return self.count - self.inserted


def report_links(server: Server, service_type: str, items: list[dict]) -> Report:
    """Record the outcome of claimed links; only the server holding a claim may report it."""
    report, touched = Report(), set()
    ids = [item["id"] for item in items]
    request_ids = db.session.scalars(select(Link.request_id).where(Link.id.in_(ids))).all()
    requests = progress.lock_requests(set(request_ids))
    links = {
        link.id: link
        for link in db.session.scalars(
            select(Link)
            .where(Link.id.in_(ids), Link.service_type == service_type)
            .with_for_update()
        )
    }
    for index, item in enumerate(items):
        link = links.get(item["id"])
        outcome = ItemOutcome(index, str(item["id"]), success=False)
        if link is None:
            outcome.error = "Link not found."
        elif not claims.holds_link(server, link):
            outcome.error = NOT_HELD
        else:
            _apply_report(link, item, requests[link.request_id])
            touched.add(link.request_id)
            outcome.success, outcome.status = True, link.status
        report.results.append(outcome)
    for request_id in touched:
        progress.settle(requests[request_id])
    db.session.commit()
    metrics.TASKS_REPORTED.inc(report.updated)
    return report


def _apply_report(link: Link, item: dict, request: Request) -> None:
    for name in RESULT_FIELDS:
        if name in item:
            setattr(link, name, item[name])
    link.claimed_until = None
    link.updated_at = utcnow()
    progress.record_outcome(link, item["status"], request)


def insert_links(server: Server, service_type: str, items: list[dict]) -> Inserted:
    """Seed 002 section 3: insert the rows of the items (loaded by schemas.InsertCreate), answer
    per row."""
    posts = progress.lock_requests({item["post_id"] for item in items if not item.get("error")})
    results = podcast.insert_links(server, service_type, items, posts)
    for post in posts.values():
        progress.settle(post)
    db.session.commit()
    return Inserted(input=len(items), results=results)
