"""row counters on requests and groups, backfilled from COUNTs; the accounts page index

Revision ID: c16_row_counters
Revises: a13_click_rollups
Create Date: 2026-12-04 14:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c16_row_counters"
down_revision = "a13_click_rollups"
branch_labels = None
depends_on = None

BACKFILL = (
    "UPDATE requests SET"
    " link_count = (SELECT count(*) FROM links WHERE links.request_id = requests.id),"
    " created_links = (SELECT count(*) FROM links WHERE links.request_id = requests.id"
    " AND links.status = 'completed' AND links.secondary = false)",
    "UPDATE groups SET"
    " account_count = (SELECT count(*) FROM accounts WHERE accounts.group_id = groups.id),"
    " account_active = (SELECT count(*) FROM accounts WHERE accounts.group_id = groups.id"
    " AND accounts.active = true)",
)


def upgrade():
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("link_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("created_links", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("account_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("account_active", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accounts_group_created",
            ["group_id", sa.literal_column("created_at DESC"), "website", "identity", "id"],
            unique=False,
        )
    for statement in BACKFILL:
        op.execute(statement)


def downgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_group_created")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("account_active")
        batch_op.drop_column("account_count")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_column("created_links")
        batch_op.drop_column("link_count")
