from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from betterwork.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "role", "country", "factory", "buyer", "is_active")
    list_filter = ("role", "country", "is_active", "is_staff")
    list_select_related = ("country", "factory", "buyer")
    autocomplete_fields = ("factory", "buyer")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "country", "factory", "buyer", "language")}),
    )
