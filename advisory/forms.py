from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advisory.models import AdvisoryVisit, Modality


class VisitForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("Kind"), choices=AdvisoryVisit.Kind.choices, initial=AdvisoryVisit.Kind.ADVISORY)
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    days = forms.DecimalField(label=_("Days"), min_value=Decimal("0.5"), max_value=8, decimal_places=1, initial=1)
    participants = forms.CharField(label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    topics = forms.CharField(label=_("Topics"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    committee_meeting_held = forms.BooleanField(label=_("A committee meeting took place"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_ups = forms.CharField(label=_("Follow-ups"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
