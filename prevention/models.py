"""What a parent records in « Mon espace prévention » (FEATURES G2).

The exams themselves are rules (`prevention.rules.CHILD_EXAMS`), not rows: only the status a
parent sets is stored, one row per child and exam (a unique constraint), so that setting
« Réalisé » twice changes nothing.
"""

from django.conf import settings
from django.db import models

from assures.models import Person

from .enums import ExamStatus


class ChildExamStatusQuerySet(models.QuerySet):
    def for_children(self, children):
        return self.filter(person__in=children)


class ChildExamStatus(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="exam_statuses", verbose_name="enfant"
    )
    exam = models.CharField("examen", max_length=20, help_text="Code de prevention.rules.")
    status = models.CharField(
        "statut", max_length=12, choices=ExamStatus.choices, default=ExamStatus.TO_PLAN
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifié par",
    )

    objects = ChildExamStatusQuerySet.as_manager()

    class Meta:
        verbose_name = "statut d'examen de l'enfant"
        verbose_name_plural = "statuts d'examens de l'enfant"
        constraints = [
            models.UniqueConstraint(fields=["person", "exam"], name="child_exam_status_unique")
        ]

    def __str__(self):
        return f"{self.exam} de {self.person} : {self.get_status_display()}"
