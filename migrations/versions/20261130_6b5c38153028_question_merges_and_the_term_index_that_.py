"""question merges and the term index that finds questions for a claim

Questions and speakers can be merged into another (their page redirects there); each active
question's stemmed words are kept in `question_terms`, filled here for the questions already
recorded, with how many questions use each word. Downgrading forgets the merges: a merged question stays, with no claims.

Revision ID: 6b5c38153028
Revises: 76320cb93d18
Create Date: 2026-11-30 11:19:46.986803
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker.questions import retrieval

revision: str = "6b5c38153028"
down_revision: str | Sequence[str] | None = "76320cb93d18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_terms_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "question_id", name=op.f("pk_question_terms")),
    )
    op.create_table(
        "question_term_counts",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "questions >= 0", name=op.f("ck_question_term_counts_questions_not_negative")
        ),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_question_term_counts")),
    )
    with op.batch_alter_table("question_terms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_terms_question_id"), ["question_id"], unique=False
        )

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_questions_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_questions_merged_into_id_questions"),
            "questions",
            ["merged_into_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            "not_merged_into_self", "merged_into_id IS NULL OR merged_into_id <> id"
        )

    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_speakers_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_speakers_merged_into_id_speakers"),
            "speakers",
            ["merged_into_id"],
            ["id"],
        )

    retrieval.rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_speakers_merged_into_id_speakers"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_speakers_merged_into_id"))
        batch_op.drop_column("merged_into_id")

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_questions_not_merged_into_self"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_questions_merged_into_id_questions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_questions_merged_into_id"))
        batch_op.drop_column("merged_into_id")

    with op.batch_alter_table("question_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_terms_question_id"))

    op.drop_table("question_terms")
    op.drop_table("question_term_counts")
