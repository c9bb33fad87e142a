from django.contrib import admin

from reporting.models import DifferentiationCriterion

admin.site.register(DifferentiationCriterion)
