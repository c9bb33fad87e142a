"""The assessments app's signals → the public transparency snapshot (R-PUB-2). Both signals are sent inside
the publishing (or correcting) transaction: the snapshot and the listing commit with it or not at all."""

from typing import Any

from django.dispatch import receiver

from assessments.signals import assessment_published, assessment_revised
from reporting.services.transparency import snapshot_write


@receiver(assessment_published, dispatch_uid="reporting-transparency-published")
@receiver(assessment_revised, dispatch_uid="reporting-transparency-revised")
def assessment_to_portal(sender: Any, assessment: Any, **kwargs: Any) -> None:
    snapshot_write(assessment)
