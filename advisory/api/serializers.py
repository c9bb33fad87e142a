from decimal import Decimal

from rest_framework import serializers

from advisory.models import AdvisoryVisit
from betterwork.accounts.policy import visible
from factories.models import Factory


class VisitInputSerializer(serializers.Serializer):
    factory = serializers.PrimaryKeyRelatedField(queryset=Factory.objects.none())
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=AdvisoryVisit.Kind.choices, default=AdvisoryVisit.Kind.ADVISORY)
    modality = serializers.ChoiceField(choices=AdvisoryVisit._meta.get_field("modality").choices)
    days = serializers.DecimalField(max_digits=3, decimal_places=1, min_value=Decimal("0.5"), max_value=8)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    participants = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    topics = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    committee_meeting_held = serializers.BooleanField(required=False, default=False)
    follow_ups = serializers.CharField(required=False, allow_blank=True, max_length=20_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        if request is not None:
            self.fields["factory"].queryset = visible(request.user, Factory)


class VisitOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdvisoryVisit
        fields = (
            "id", "factory", "cycle", "date", "kind", "modality", "days", "is_first_visit", "participants",
            "topics", "committee_meeting_held", "notes", "follow_ups", "recorded_by", "created_at",
        )  # fmt: skip
        read_only_fields = fields
