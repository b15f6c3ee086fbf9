"""Archive fetched pages: raw bytes, media type and sha256 of what was fetched

Revision ID: c270921779a8
Revises: 0352af2ff074
Create Date: 2026-11-25 13:26:59.802512
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c270921779a8"
down_revision: str | Sequence[str] | None = "0352af2ff074"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("raw_body", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("raw_content_type", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("raw_sha256", sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_sources_raw_sha256_length"), "raw_sha256 IS NULL OR length(raw_sha256) = 64"
        )
        batch_op.create_check_constraint(
            op.f("ck_sources_raw_body_has_hash"), "(raw_body IS NULL) = (raw_sha256 IS NULL)"
        )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sources_raw_body_has_hash"), type_="check")
        batch_op.drop_constraint(op.f("ck_sources_raw_sha256_length"), type_="check")
        batch_op.drop_column("raw_sha256")
        batch_op.drop_column("raw_content_type")
        batch_op.drop_column("raw_body")
