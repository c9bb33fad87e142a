from django.contrib import admin

from factories.models import Buyer, BuyerAuthorisation, Country, Factory, ServiceCycle


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "programme", "phase", "public_reporting_since")


@admin.register(Factory)
class FactoryAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "sector", "workers", "status", "stage")
    list_filter = ("country", "status", "stage", "sector")
    search_fields = ("name", "os_id")
    list_select_related = ("country",)
    raw_id_fields = ("advisor",)


@admin.register(Buyer)
class BuyerAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ServiceCycle)
class ServiceCycleAdmin(admin.ModelAdmin):
    list_display = ("factory", "number", "start_date", "end_date", "status")
    list_filter = ("status", "factory__country")
    raw_id_fields = ("factory",)


@admin.register(BuyerAuthorisation)
class BuyerAuthorisationAdmin(admin.ModelAdmin):
    list_display = ("factory", "buyer", "granted_at", "revoked_at")
    raw_id_fields = ("factory", "buyer", "granted_by", "revoked_by")
