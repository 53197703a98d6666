"""users carry a token version: a password change or key rotation revokes older JWTs

Revision ID: money_token_version
Revises: money_bigint_credits
Create Date: 2026-12-04 14:00:02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'money_token_version'
down_revision = 'money_bigint_credits'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs (SQLite 3.35+ drops columns too): a batch rebuild of `users` would
    # cascade-delete the rows that reference it while SQLite enforces foreign keys.
    op.add_column(
        'users', sa.Column('token_version', sa.Integer(), server_default='0', nullable=False)
    )


def downgrade():
    op.drop_column('users', 'token_version')
