"""requests count their deleted completed links: those slots stay spent

Revision ID: money_deleted_completed
Revises: c12_link_fields_ids
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'money_deleted_completed'
down_revision = 'c12_link_fields_ids'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs (SQLite 3.35+ drops columns too): a batch rebuild of `requests` would
    # cascade-delete the rows that reference it while SQLite enforces foreign keys.
    op.add_column(
        'requests', sa.Column('deleted_completed', sa.Integer(), server_default='0', nullable=False)
    )


def downgrade():
    op.drop_column('requests', 'deleted_completed')
