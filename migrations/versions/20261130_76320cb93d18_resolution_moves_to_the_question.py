"""resolution moves to the question: reviewers resolve questions, claims take the result

Each question takes the review state of the claim it was made for (status, result, version,
snooze); judgements, assignments and reminders name the question, and edits of what a claim
asked (question, criteria, deadline) become question edits. Every claim keeps a copy of its
question's state by its stance. A claim that shared a question but carried a review history of
its own gets a question of its own, so nothing merges. The audit log records the move.

Downgrading gives each question's judgements, assignments, reminders and edits back to the
claim it was made for (else its first claim) and its snooze to every claim on it.

Revision ID: 76320cb93d18
Revises: 54f21f17d6ad
Create Date: 2026-11-30 11:19:12.490367
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.db
from tracker.db import utcnow
from tracker.questions import review_move

revision: str = "76320cb93d18"
down_revision: str | Sequence[str] | None = "54f21f17d6ad"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUESTION_CHECKS = {
    "status": "status IN ('open', 'disputed', 'resolved', 'void')",
    "outcome": "outcome IS NULL OR outcome IN ('true', 'false', 'ambiguous', 'annulled')",
    "verdict": "verdict IS NULL OR verdict IN ('true', 'mostly-true', 'mixed', 'mostly-false',"
    " 'false', 'unverifiable')",
    "resolved_has_result": "(status = 'resolved') = (outcome IS NOT NULL OR verdict IS NOT NULL)",
    "void_reason": "(status = 'void') = (void_reason IS NOT NULL)",
    "snooze_has_reason": "(snoozed_until IS NULL) = (snooze_reason IS NULL)",
    "resolution_version": "resolution_version >= 1",
}
CLAIM_EDIT_FIELDS = "field IN ('question', 'resolution_criteria', 'deadline_at', 'probability')"
# (table, old unique columns, new unique columns)
LINKED = (
    (
        "resolutions",
        ["claim_id", "version", "reviewer_id"],
        ["question_id", "version", "reviewer_id"],
    ),
    ("assignments", ["claim_id", "user_id"], ["question_id", "user_id"]),
    (
        "reminders",
        ["claim_id", "kind", "user_id", "channel"],
        ["question_id", "kind", "user_id", "channel"],
    ),
)


def upgrade() -> None:
    op.create_table(
        "question_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("edited_at", tracker.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "field IN ('text', 'resolution_criteria', 'deadline_at')",
            name=op.f("ck_question_edits_field"),
        ),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_question_edits_reason_not_empty")),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["users.id"], name=op.f("fk_question_edits_editor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_question_edits_question_id_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_edits")),
    )
    with op.batch_alter_table("question_edits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_edits_question_id"), ["question_id"], unique=False
        )

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="open")
        )
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("verdict", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("resolution_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(
            sa.Column("resolved_at", tracker.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("snoozed_until", tracker.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("snooze_reason", sa.Text(), nullable=True))
    for table, _, _ in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("question_id", sa.Integer(), nullable=True))

    connection = op.get_bind()
    split = review_move.copy_state_to_questions(connection)
    review_move.point_rows_at_questions(connection)
    review_move.move_question_edits(connection)
    review_move.copy_state_to_claims(connection)
    review_move.record_review_move(connection, utcnow(), split)

    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=16), server_default=None)
        batch_op.alter_column("resolution_version", existing_type=sa.Integer(), server_default=None)
        for name, condition in QUESTION_CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f"ck_questions_{name}"), condition)
        batch_op.create_index(
            "ix_questions_queue", ["status", "deadline_at", "snoozed_until", "id"], unique=False
        )
    for table, old, new in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("question_id", existing_type=sa.Integer(), nullable=False)
            batch_op.drop_index(batch_op.f(f"ix_{table}_claim_id"))
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_{'_'.join(old)}"), type_="unique")
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_claim_id_claims"), type_="foreignkey")
            batch_op.drop_column("claim_id")
            batch_op.create_index(
                batch_op.f(f"ix_{table}_question_id"), ["question_id"], unique=False
            )
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_{'_'.join(new)}"), new)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_question_id_questions"),
                "questions",
                ["question_id"],
                ["id"],
            )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_queue"))
        batch_op.drop_constraint(batch_op.f("ck_claims_snooze_has_reason"), type_="check")
        batch_op.drop_column("snooze_reason")
        batch_op.drop_column("snoozed_until")
        batch_op.create_index(
            "ix_claims_status_deadline_at", ["status", "deadline_at", "id"], unique=False
        )
    with op.batch_alter_table("claim_edits", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_claim_edits_field"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_claim_edits_field"), "field IN ('probability')"
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_edits", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_claim_edits_field"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_claim_edits_field"), CLAIM_EDIT_FIELDS)
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("snoozed_until", tracker.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("snooze_reason", sa.Text(), nullable=True))
    for table, _, _ in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("claim_id", sa.Integer(), nullable=True))

    connection = op.get_bind()
    review_move.point_rows_at_claims(connection)
    review_move.move_edits_back(connection)
    review_move.copy_snooze_to_claims(connection)

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_status_deadline_at")
        batch_op.create_check_constraint(
            batch_op.f("ck_claims_snooze_has_reason"),
            "(snoozed_until IS NULL) = (snooze_reason IS NULL)",
        )
        batch_op.create_index(
            batch_op.f("ix_claims_queue"),
            ["status", "deadline_at", "snoozed_until", "id"],
            unique=False,
        )
    for table, old, new in LINKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("claim_id", existing_type=sa.Integer(), nullable=False)
            batch_op.drop_index(batch_op.f(f"ix_{table}_question_id"))
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_{'_'.join(new)}"), type_="unique")
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_question_id_questions"), type_="foreignkey"
            )
            batch_op.drop_column("question_id")
            batch_op.create_index(batch_op.f(f"ix_{table}_claim_id"), ["claim_id"], unique=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_{'_'.join(old)}"), old)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_claim_id_claims"), "claims", ["claim_id"], ["id"]
            )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("ix_questions_queue")
        for name in QUESTION_CHECKS:
            batch_op.drop_constraint(batch_op.f(f"ck_questions_{name}"), type_="check")
        for name in (
            "snooze_reason",
            "snoozed_until",
            "void_reason",
            "resolved_at",
            "resolution_version",
            "verdict",
            "outcome",
            "status",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("question_edits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_edits_question_id"))
    op.drop_table("question_edits")
