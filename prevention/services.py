"""State changes of « Mon espace prévention » (FEATURES G2)."""

from django.db import transaction

from .enums import ExamStatus
from .models import ChildExamStatus


@transaction.atomic
def set_exam_status(child, exam_code: str, status: ExamStatus, by=None) -> ChildExamStatus:
    """Record the status of one exam of `child`. Idempotent: one row per child and exam, so a
    repeated « Réalisé » (double click, resent form) leaves the same single row. The caller
    has checked that `child` is the user's and `exam_code` one of that child's exams."""
    record, _ = ChildExamStatus.objects.update_or_create(
        person=child, exam=exam_code, defaults={"status": status, "updated_by": by}
    )
    return record
