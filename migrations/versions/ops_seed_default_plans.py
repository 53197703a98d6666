"""seed the default shortener plans (Starter, free; Business), so `db upgrade` alone gives a
usable service: new users are put on the free plan and can create links

Revision ID: ops_seed_default_plans
Revises: c16_row_counters
Create Date: 2026-12-04 15:00:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

# The same definition `flask plans seed` uses. Migrations run only inside the app (env.py reads
# current_app), so the import always works; the rows go through the table as it stands at this
# revision (below), never through the ORM model, so a later change to the model cannot break it.
from likepion.shortener.plans import DEFAULT_PLANS


# revision identifiers, used by Alembic.
revision = 'ops_seed_default_plans'
down_revision = 'c16_row_counters'
branch_labels = None
depends_on = None

plans = sa.table(
    'plans',
    sa.column('name', sa.String),
    sa.column('free', sa.Boolean),
    sa.column('prices', sa.JSON),
    sa.column('limits', sa.JSON),
    sa.column('created_at', sa.DateTime(timezone=True)),
)


def upgrade():
    """Insert each default plan whose name is missing; existing plans are left as they are."""
    conn = op.get_bind()
    existing = set(conn.scalars(sa.select(plans.c.name)))
    for default in DEFAULT_PLANS:  # in order: a fresh database gets Starter 1, Business 2
        if default['name'] not in existing:
            row = {key: default[key] for key in ('name', 'free', 'prices', 'limits')}
            conn.execute(plans.insert().values(**row, created_at=datetime.now(UTC)))


def downgrade():
    # Nothing: the plans may be in use by now, and the migration that made the table drops it.
    pass
