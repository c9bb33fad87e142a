"""/training/: the course catalogue, sessions, enrolment, attendance and industry seminars."""

from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("allowances/", views.allowances_page, name="allowances"),
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("sessions/<int:pk>/attendance/<str:day>/", views.attendance_page, name="attendance"),
    path("seminars/<int:seminar_pk>/join/", views.seminar_join_view, name="seminar-join"),
    path("factories/<int:pk>/", views.factory_page, name="factory"),
    path("factories/<int:pk>/purchases/", views.purchase_add, name="purchase-add"),
    path("factories/<int:pk>/enrolments/<int:enrolment_pk>/names/", views.names_add, name="names-add"),
    path("factories/<int:pk>/seminars/<int:participation_pk>/actions/", views.action_add, name="action-add"),
    path("factories/<int:pk>/certificates/<int:participant_pk>.pdf", views.certificate, name="certificate"),
]
