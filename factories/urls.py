from factories.views import buyers, committee, factories, registration

app_name = "factories"

urlpatterns = [*factories.urlpatterns, *registration.urlpatterns, *buyers.urlpatterns, *committee.urlpatterns]
