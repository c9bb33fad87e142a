"""/assessments/: planning and ranking (staff), fieldwork (assessors), the report and feedback (everyone entitled)."""

from assessments.views import fieldwork, pages

urlpatterns = [*pages.urlpatterns, *fieldwork.urlpatterns]
