"""What the public web routes need of the shortener: rotator turns, public campaign lists and
QR codes by alias. Each public function is one unit of work."""

from sqlalchemy import func, or_, select, update

from likepion.auth.models import User
from likepion.core.db import db, read_only
from likepion.core.time import utcnow
from likepion.shortener import addresses, stats
from likepion.shortener.models import Campaign, LinkRollup, QrCode, ShortUrl


def rotate(slug: str) -> tuple[int, str] | None:
    """The (link id, URL) whose turn it is in the campaign `slug`, round robin by link id.

    The turn counter moves with one UPDATE ... RETURNING, so concurrent visitors each get
    the next turn. Expired and password-protected links are left out: a visitor could not
    follow them directly, and a protected link's destination must not leak past its password.
    """
    moved = db.session.execute(
        update(Campaign)
        .where(Campaign.slug == slug)
        .values(rotator_turn=Campaign.rotator_turn + 1)
        .returning(Campaign.id, Campaign.rotator_turn)
    ).first()
    if moved is None:
        db.session.rollback()
        return None
    campaign_id, turn = moved
    links = select(ShortUrl.id, ShortUrl.url).where(
        ShortUrl.campaign_id == campaign_id,
        ShortUrl.password_hash.is_(None),
        or_(ShortUrl.expiry.is_(None), ShortUrl.expiry > utcnow()),
    )
    count = db.session.scalar(select(func.count()).select_from(links.subquery()))
    chosen = (
        db.session.execute(links.order_by(ShortUrl.id).offset((turn - 1) % count).limit(1)).first()
        if count
        else None
    )
    db.session.commit()
    return tuple(chosen) if chosen else None


def public_campaign(username: str, name: str) -> tuple[Campaign, list[dict]] | None:
    """A public campaign and its links from `/u/<username>/<slug>-<id>`; None when missing,
    private, or the slug does not match (`list` stands for a campaign without a slug)."""
    slug, _, campaign_id = name.rpartition("-")
    if not (campaign_id.isascii() and campaign_id.isdigit()) or len(campaign_id) > 9:
        return None
    campaign = db.session.scalar(
        select(Campaign)
        .join(User, User.id == Campaign.user_id)
        .where(
            Campaign.id == int(campaign_id),
            Campaign.public.is_(True),
            User.username == username.lower(),
            User.deleted_at.is_(None),
        )
    )
    if campaign is None or (campaign.slug or "list") != slug:
        return None
    links = db.session.scalars(
        select(ShortUrl)
        .where(ShortUrl.campaign_id == campaign.id, ShortUrl.status != "private")
        .order_by(ShortUrl.id)
    )
    return campaign, [
        {"shorturl": addresses.short_url(link), "title": link.title or link.alias} for link in links
    ]


def short_url_of(link_id: int) -> str | None:
    """The short URL the API gives for link `link_id` (its branded domain's, or ours)."""
    link = db.session.get(ShortUrl, link_id)
    return addresses.short_url(link) if link is not None else None


def qr_by_alias(alias: str):
    """The QR code's row (read on a connection of its own and released at once, so no
    transaction is open while its scan is recorded)."""
    with read_only() as conn:
        return conn.execute(select(QrCode.__table__).where(QrCode.alias == alias)).first()


def public_stats(domain_key: int, alias: str) -> dict | None:
    """The aggregate stats page data of the link `alias` on `domain_key` (0: our own host):
    its short URL, all-time stats and clicks per day of the last 30 days; None unless its
    owner turned public_stats on."""
    link = db.session.scalar(
        select(ShortUrl).where(
            ShortUrl.domain_key == domain_key, ShortUrl.alias == alias, ShortUrl.public_stats
        )
    )
    if link is None:
        return None
    points = stats.time_range("day", None, None, hourly_days=0)
    return {
        "shorturl": addresses.short_url(link),
        "stats": stats.stats(LinkRollup, link.id),
        "series": stats.time_series(LinkRollup, link.id, points, "day")["series"],
    }
