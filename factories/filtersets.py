from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from betterwork.accounts.models import Role, User
from factories.lifecycle_selectors import PENDING, advisors_for
from factories.models import Country, Factory, ProductionStatus, Registration


def _advisors(request: Any) -> Any:
    """The advisors a user may filter by: those of its country (all for a global admin; none for others)."""
    if request is None:  # the schema generator
        return User.objects.none()
    return advisors_for(user=request.user)


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return user.get_full_name() or user.username


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _PersonChoiceField


class FactoryFilterSet(django_filters.FilterSet):
    country = django_filters.ModelChoiceFilter(queryset=Country.objects.all(), to_field_name="code")
    production_status = django_filters.ChoiceFilter(choices=ProductionStatus.choices, label=_("Production"))
    advisor = PersonChoiceFilter(queryset=_advisors, label=_("Enterprise advisor"))

    class Meta:
        model = Factory
        fields = ("country", "status", "sector", "stage", "production_status", "advisor")

    # Filters on what buyers may not read (FactoryBuyerOutputSerializer): dropped for them, so that filtering
    # cannot reveal it either.
    BUYER_HIDDEN = ("production_status", "advisor")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "effective_role", None) == Role.BUYER:
            for name in self.BUYER_HIDDEN:
                self.filters.pop(name, None)


class RegistrationFilterSet(django_filters.FilterSet):
    country = django_filters.ModelChoiceFilter(queryset=Country.objects.all(), to_field_name="code")
    status = django_filters.ChoiceFilter(choices=Registration.Status.choices)
    pending = django_filters.BooleanFilter(method="filter_pending", label=_("Waiting for review"))

    class Meta:
        model = Registration
        fields = ("country", "status", "sector", "pending")

    def filter_pending(self, queryset, name, value):
        return queryset.filter(status__in=PENDING) if value else queryset.exclude(status__in=PENDING)
