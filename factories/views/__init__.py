"""Factory pages, one module per area; each module lists its own `urlpatterns` (wired in factories/urls.py)."""
