"""What the analysis found in each conversation a report carries (``intake.models.Conversation``).

The reading is kept without the messages' text: the flagged lines are named by their place in the
conversation, whose text stays encrypted in the evidence store and is shown only on the audited
conversation page.
"""

from __future__ import annotations

from django.db import models

from haven.intake.models import Conversation


class Analysis(models.Model):
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="analysis")
    grooming = models.BooleanField()
    score = models.FloatField()
    groomer = models.CharField(max_length=200, blank=True)
    urgent = models.JSONField(default=list)  # names from analysis.URGENT
    urgent_any = models.BooleanField(default=False, db_index=True)  # for the queue's filter
    stages = models.JSONField(default=list)
    reading = models.JSONField()  # analyse()'s output, each line's text removed
    analysed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"analysis of {self.conversation}"
