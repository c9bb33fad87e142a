import django_filters

from factories.models import Country, Factory


class FactoryFilterSet(django_filters.FilterSet):
    country = django_filters.ModelChoiceFilter(queryset=Country.objects.all(), to_field_name="code")

    class Meta:
        model = Factory
        fields = ("country", "status", "sector", "stage")
