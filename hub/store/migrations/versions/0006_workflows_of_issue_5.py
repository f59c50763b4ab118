"""workflows of issue 5: joins the three branches (ledger and findings; ranking, sanctions and
repairs; committees, fund and owner credit) that were developed side by side on 0004

Revision ID: 0006
Revises: 0005a, 0005b, 0005c
Create Date: 2026-11-25 16:33:15.638805
"""

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | Sequence[str] | None = ("0005a", "0005b", "0005c")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # a merge: nothing to change


def downgrade() -> None:
    pass
