"""short links keep description's image and status; SQLite never reuses a public id

Revision ID: c12_link_fields_ids
Revises: 58f2fe76bd5b
Create Date: 2026-12-04 14:10:00

Every table with a public integer id is rebuilt on SQLite with AUTOINCREMENT, so the id of a
deleted newest row is never handed out again (PostgreSQL's identities never reuse one). The
rebuild runs with foreign keys off (migrations/env.py) and checks them afterwards.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c12_link_fields_ids'
down_revision = '58f2fe76bd5b'
branch_labels = None
depends_on = None

PUBLIC_ID_TABLES = (
    'users', 'plans', 'domains', 'campaigns', 'splashes', 'overlays', 'pixels', 'short_urls',
    'qr_codes', 'channels',
)


def upgrade():
    with op.batch_alter_table('short_urls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meta_image', sa.String(length=2048), nullable=True))
        batch_op.add_column(
            sa.Column('status', sa.String(length=8), server_default='public', nullable=False)
        )
    _rebuild_on_sqlite(autoincrement=True)


def downgrade():
    _rebuild_on_sqlite(autoincrement=False)
    with op.batch_alter_table('short_urls', schema=None) as batch_op:
        batch_op.drop_column('status')
        batch_op.drop_column('meta_image')


def _rebuild_on_sqlite(*, autoincrement):
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    for table in PUBLIC_ID_TABLES:
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
        ):
            pass
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise RuntimeError(f'foreign keys broken by the table rebuild: {broken[:5]}')
