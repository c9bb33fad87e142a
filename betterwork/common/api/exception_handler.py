"""One error shape for the whole API: `{"detail": ...}` or `{"field": ["message"]}` (API.md)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from betterwork.common.exceptions import ApplicationError, InvalidTransition, NotPermitted

STATUS_FOR = {InvalidTransition: status.HTTP_409_CONFLICT, NotPermitted: status.HTTP_403_FORBIDDEN}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ApplicationError):
        body = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        body.update(exc.extra)
        return Response(body, status=STATUS_FOR.get(type(exc), status.HTTP_400_BAD_REQUEST))
    return exception_handler(exc, context)
