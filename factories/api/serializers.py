from rest_framework import serializers

from factories.models import Country, Factory


class CountryOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ("code", "name", "programme", "sectors", "languages", "phase", "public_reporting_since", "timezone")
        read_only_fields = fields


class CountryUpdateInputSerializer(serializers.ModelSerializer):
    """Programme staff of the country may change only the service phase and the public-reporting date."""

    class Meta:
        model = Country
        fields = ("phase", "public_reporting_since")


class FactoryOutputSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", read_only=True)
    current_cycle = serializers.IntegerField(source="current_cycle_id", read_only=True, allow_null=True)
    women_percent = serializers.FloatField(read_only=True)

    class Meta:
        model = Factory
        fields = (
            "id",
            "name",
            "country",
            "sector",
            "address",
            "workers",
            "women_percent",
            "status",
            "stage",
            "current_cycle",
            "os_id",
        )
        read_only_fields = fields
