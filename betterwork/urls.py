"""Pages, /api/v1/, /admin/, the public portal, health."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from advisory import views as advisory_views
from betterwork import views
from betterwork.accounts import views as account_views
from betterwork.common import views as common_views
from factories.views.registration import register_done_page, register_page
from reporting import views as reporting_views

admin.site.site_header = "BetterWork"
admin.site.login = secure_admin_login(admin.site.login)  # the admin signs in through allauth, so two-factor applies

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The busiest public routes come first: Django tries the patterns in order (about 1 ms saved per request).
    path("transparency/", include("reporting.urls")),
    path("transparency.csv", reporting_views.transparency_csv, name="transparency-csv"),
    path("api/v1/", include("betterwork.api_urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("notifications/", include(common_views)),
    path("agenda/", include(advisory_views)),
    path("register/", register_page, name="register"),
    path("register/thanks/", register_done_page, name="register-done"),
    path("factories/<int:pk>/cycle/", advisory_views.factory_cycle_page, name="factory-cycle"),
    path("factories/<int:pk>/visits/<int:visit_pk>/", advisory_views.visit_detail_page, name="factory-visit"),
    path("factories/<int:pk>/zero-tolerance/", include("advisory.views_zero_tolerance")),
    path("factories/<int:pk>/reports/", include("advisory.views_reports")),
    path("factories/<int:pk>/differentiation/", include("reporting.views_differentiation")),
    path("factories/<int:pk>/", include("advisory.views_plan")),  # plan/, plan/print/, plan.csv
    path("buyer/", include("reporting.views_buyers")),
    path("dashboards/", include("reporting.views_dashboards")),
    path("documents/", include("reporting.views_documents")),
    path("factories/", include("factories.urls")),
    path("assessments/", include("assessments.urls")),
    path("training/", include("training.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
