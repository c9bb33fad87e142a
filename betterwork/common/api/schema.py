"""What the OpenAPI schema must say that drf-spectacular cannot infer from the serializers alone."""

from typing import Any

from drf_spectacular.hooks import postprocess_schema_enums
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "anyOf": [{"format": "email"}, {"maxLength": 0}]})
class OptionalEmailField(serializers.CharField):
    """An email address, or "" where none was given (a model `EmailField(blank=True)`); output only."""


def optional_in_schema(*fields: str):
    """Class decorator for output serializers that leave `fields` out for some callers (R-ASM-3: the schedule
    is for programme staff only): the schema must not mark them required."""

    def mark(serializer_class: type) -> type:
        serializer_class.schema_optional_fields = fields
        return serializer_class

    return mark


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular's enum post-processing, then `optional_in_schema` applied to every component."""
    result = postprocess_schema_enums(result, generator, request=request, public=public)
    schemas = result.get("components", {}).get("schemas", {})
    for component in generator.registry._components.values():  # drf-spectacular keeps no public list of them
        optional = getattr(component.object, "schema_optional_fields", ())
        schema = schemas.get(component.name)
        if optional and schema and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
    return result
