from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from factories.models import Buyer, BuyerAuthorisation, Country, Factory, Invoice, Registration, ServiceCycle


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "programme", "phase", "public_reporting_since")


@admin.register(Factory)
class FactoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "country", "sector", "workers", "status", "production_status", "stage")
    list_filter = ("country", "status", "production_status", "stage", "sector")
    search_fields = ("name", "os_id")
    list_select_related = ("country",)
    raw_id_fields = ("advisor",)
    # Status moves only through factories.services.lifecycle (payment, suspension, exit), with its history.
    readonly_fields = ("status", "exit_reason")


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


class _ReadOnlyAdmin(SimpleHistoryAdmin):
    """Registration review, invoices and payment move only through factories.services (the pages and the API), which
    check who may act and keep the history: the admin shows them, with their history, and changes nothing."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Registration)
class RegistrationAdmin(_ReadOnlyAdmin):
    list_display = ("factory_name", "country", "sector", "workers", "status", "created_at")
    list_filter = ("status", "country", "sector")
    search_fields = ("factory_name", "contact_name", "contact_email", "os_id")
    list_select_related = ("country",)
    date_hierarchy = "created_at"


@admin.register(Invoice)
class InvoiceAdmin(_ReadOnlyAdmin):
    list_display = ("number", "factory", "cycle_number", "amount", "currency", "issued_on", "due_on", "paid_on")
    list_filter = ("factory__country", "cycle_number")
    search_fields = ("number", "factory__name", "payment_reference")
    list_select_related = ("factory",)
    date_hierarchy = "issued_on"
