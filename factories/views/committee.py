"""Pages for the committee area (issue 3)."""

urlpatterns: list = []
