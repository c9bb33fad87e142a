from django.urls import path

from factories import views

app_name = "factories"

urlpatterns = [
    path("", views.factory_list_page, name="list"),
    path("<int:pk>/", views.factory_detail_page, name="detail"),
]
