"""Named domain signals of the assessments app, for higher apps (STYLE §9.1).

`assessment_published(assessment=)`: the report was released (R-RPT-1); the reporting app writes the
public transparency snapshot from it (R-PUB-2: published findings only). `assessment_revised(assessment=)`:
a finalised or published assessment was corrected; the snapshot follows. Both are sent inside the
service's transaction, so the snapshot commits with the change or not at all.
"""

import django.dispatch

assessment_published = django.dispatch.Signal()
assessment_revised = django.dispatch.Signal()
