"""Pages for the registration area (issue 3)."""

urlpatterns: list = []
