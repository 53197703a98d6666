"""requests count their deleted completed links: those slots stay spent

Revision ID: money_deleted_completed
Revises: 58f2fe76bd5b
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'money_deleted_completed'
down_revision = '58f2fe76bd5b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('deleted_completed', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_column('deleted_completed')
