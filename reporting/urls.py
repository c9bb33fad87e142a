from django.urls import path

from reporting import views

app_name = "transparency"

urlpatterns = [path("", views.transparency_index, name="index")]
