"""Pages for the buyers area (issue 3)."""

urlpatterns: list = []
