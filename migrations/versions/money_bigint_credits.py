"""credits, ledger amounts and balances are 64-bit

Revision ID: money_bigint_credits
Revises: money_deleted_completed
Create Date: 2026-12-04 14:00:01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'money_bigint_credits'
down_revision = 'money_deleted_completed'
branch_labels = None
depends_on = None

COLUMNS = (('users', 'credits'), ('credit_ledger', 'amount'), ('credit_ledger', 'balance_after'))


def upgrade():
    _retype(sa.Integer(), sa.BigInteger())


def downgrade():
    _retype(sa.BigInteger(), sa.Integer())


def _retype(old, new):
    # SQLite's INTEGER is 64-bit already (the models declare it so there: core.db.BigInt), and
    # rebuilding `users` (what a batch type change does) would cascade-delete its ledger rows.
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, existing_type=old, type_=new, existing_nullable=False)
