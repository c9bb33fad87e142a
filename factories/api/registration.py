"""API for the registration area (issue 3): viewsets registered on the v1 router by `register`."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the API router."""
