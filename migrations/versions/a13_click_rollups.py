"""clicks: rollup and visitor tables per link and QR code, public_stats on links; backfilled

Revision ID: a13_click_rollups
Revises: money_token_version
Create Date: 2026-12-04 14:00:00

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "a13_click_rollups"
down_revision = "money_token_version"
branch_labels = None
depends_on = None

OBJECTS = {"link": "short_urls", "qr": "qr_codes"}


def upgrade():
    for kind, target in OBJECTS.items():
        op.create_table(
            f"{kind}_rollups",
            sa.Column("period", sa.String(length=1), nullable=False),
            sa.Column("dimension", sa.String(length=8), nullable=False),
            sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
            sa.Column("value", sa.String(length=255), nullable=False),
            sa.Column("n", sa.BigInteger(), nullable=False),
            sa.Column("object_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["object_id"], [f"{target}.id"],
                name=op.f(f"fk_{kind}_rollups_object_id_{target}"), ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint(
                "object_id", "period", "dimension", "bucket", "value",
                name=op.f(f"pk_{kind}_rollups"),
            ),
            sqlite_with_rowid=False,
        )
        op.create_table(
            f"{kind}_visitors",
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("visitor", sa.String(length=32), nullable=False),
            sa.Column("object_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["object_id"], [f"{target}.id"],
                name=op.f(f"fk_{kind}_visitors_object_id_{target}"), ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("object_id", "day", "visitor", name=op.f(f"pk_{kind}_visitors")),
            sqlite_with_rowid=False,
        )
    # A plain ADD COLUMN (SQLite has it): batch mode would copy short_urls, and dropping the old
    # table with foreign keys on would cascade to its clicks.
    op.add_column(
        "short_urls",
        sa.Column("public_stats", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    _backfill()


def _backfill():
    """The rollups of the clicks stored so far, by the same code as `flask clicks rollup`."""
    from likepion.shortener import rollups

    bind = op.get_bind()
    for kind, table in (("short_url_id", "short_urls"), ("qr_code_id", "qr_codes")):
        ids = list(bind.execute(sa.text(f"SELECT id FROM {table}")).scalars())
        rollups.lock_clicks(bind)
        for chunk in range(0, len(ids), 500):
            rollups.rebuild(
                bind, kind, ids[chunk : chunk + 500], since=rollups.ALL_TIME,
                hourly_days=current_app.config["CLICK_HOURLY_DAYS"],
            )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":  # native since 3.35: no copy, no cascade
        op.execute("ALTER TABLE short_urls DROP COLUMN public_stats")
    else:
        op.drop_column("short_urls", "public_stats")
    for kind in OBJECTS:
        op.drop_table(f"{kind}_visitors")
        op.drop_table(f"{kind}_rollups")
