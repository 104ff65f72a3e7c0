"""reports and the media-products register: today's commune of every unit (for roll-up), the register's tables,
and the indexes the report queries take at national scale

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 11:27:41.161622
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('media_product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('producer_kind', sa.String(length=20), nullable=False),
    sa.Column('producer_name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('produced_on', sa.Date(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('rebroadcast_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', app.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_media_product_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_media_product_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_product'))
    )
    with op.batch_alter_table('media_product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_product_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_media_product_produced_on'), ['produced_on'], unique=False)
        batch_op.create_index('ix_media_product_unit_produced', ['unit_id', 'produced_on'], unique=False)

    op.create_table('media_budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('planned_amount', sa.Numeric(precision=16, scale=0), nullable=False),
    sa.Column('actual_amount', sa.Numeric(precision=16, scale=0), nullable=True),
    sa.Column('funding_source', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_product.id'], name=op.f('fk_media_budget_line_media_id_media_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_budget_line'))
    )
    with op.batch_alter_table('media_budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_budget_line_media_id'), ['media_id'], unique=False)

    op.create_table('media_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_product.id'], name=op.f('fk_media_link_media_id_media_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_link'))
    )
    with op.batch_alter_table('media_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_link_media_id'), ['media_id'], unique=False)

    op.create_table('media_topic',
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_product.id'], name=op.f('fk_media_topic_media_id_media_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('media_id', 'topic', name=op.f('pk_media_topic'))
    )
    with op.batch_alter_table('media_topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_topic_topic'), ['topic'], unique=False)

    with op.batch_alter_table('admin_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_commune_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_admin_unit_current_commune', ['current_commune_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_admin_unit_current_commune_id_admin_unit'), 'admin_unit', ['current_commune_id'], ['id'])

    # A current commune counts under itself; a former commune (or island district) under the commune it was merged
    # into, the first listed when it was divided.
    op.execute("UPDATE admin_unit SET current_commune_id = id WHERE era = 'current' AND level = 'commune'")
    op.execute("UPDATE admin_unit SET current_commune_id = (SELECT min(s.current_id) FROM admin_unit_successor s "
               "WHERE s.former_id = admin_unit.id) WHERE era = 'former'")


def downgrade() -> None:
    with op.batch_alter_table('admin_unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_admin_unit_current_commune_id_admin_unit'), type_='foreignkey')
        batch_op.drop_index('ix_admin_unit_current_commune')
        batch_op.drop_column('current_commune_id')

    with op.batch_alter_table('media_topic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_topic_topic'))

    op.drop_table('media_topic')
    with op.batch_alter_table('media_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_link_media_id'))

    op.drop_table('media_link')
    with op.batch_alter_table('media_budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_budget_line_media_id'))

    op.drop_table('media_budget_line')
    with op.batch_alter_table('media_product', schema=None) as batch_op:
        batch_op.drop_index('ix_media_product_unit_produced')
        batch_op.drop_index(batch_op.f('ix_media_product_produced_on'))
        batch_op.drop_index(batch_op.f('ix_media_product_kind'))

    op.drop_table('media_product')
