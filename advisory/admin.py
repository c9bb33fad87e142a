from django.contrib import admin

from advisory.models import ReportTemplate, SelfDiagnosisOption


@admin.register(SelfDiagnosisOption)
class SelfDiagnosisOptionAdmin(admin.ModelAdmin):
    list_display = ("cluster", "number", "text")
    list_filter = ("cluster",)


admin.site.register(ReportTemplate)
