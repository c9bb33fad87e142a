"""Shared bits of the assessments API tests."""

from typing import Any

from rest_framework.test import APIClient

ASSESSMENTS = "/api/v1/assessments/"
QUESTIONS = "/api/v1/cat/questions/"


def url(assessment: Any, action: str = "") -> str:
    return f"{ASSESSMENTS}{assessment.pk}/" + (f"{action}/" if action else "")


def as_user(client: APIClient, user: Any) -> APIClient:
    client.force_authenticate(user)
    return client
