from django.contrib import admin

from assessments.models import Cluster, CriticalIssue, CriticalIssueException


class CriticalIssueExceptionInline(admin.TabularInline):
    model = CriticalIssueException
    extra = 0


@admin.register(CriticalIssue)
class CriticalIssueAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "cluster")
    inlines = (CriticalIssueExceptionInline,)


admin.site.register(Cluster)
