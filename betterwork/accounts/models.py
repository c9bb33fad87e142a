"""The platform's user: one role, and the scope that role needs (a country, a factory or a buyer)."""

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global administrator")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    ADVISOR = "advisor", _("Enterprise advisor")
    ASSESSOR = "assessor", _("Assessor")
    FACTORY = "factory", _("Factory user")
    BUYER = "buyer", _("Buyer user")


COUNTRY_ROLES: frozenset[str] = frozenset({Role.PROGRAMME_MANAGER, Role.ADVISOR, Role.ASSESSOR})
STAFF_ROLES: frozenset[str] = COUNTRY_ROLES | {Role.GLOBAL_ADMIN}


class UserQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "UserQuerySet":
        """Users `user` manages: everyone for a global admin; a programme manager's own country."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_global_admin:
            return self
        if user.effective_role == Role.PROGRAMME_MANAGER:
            return self.filter(Q(country_id=user.country_id) | Q(factory__country_id=user.country_id))
        return self.none()


class BetterWorkUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person using the platform. A Django superuser acts as a global admin whatever its role."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    country = models.ForeignKey(
        "factories.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("The country programme of a programme manager, advisor or assessor."),
    )
    factory = models.ForeignKey(
        "factories.Factory",
        verbose_name=_("factory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The factory a factory user works for."),
    )
    buyer = models.ForeignKey(
        "factories.Buyer",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The buyer organisation a buyer user works for."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    objects: ClassVar[BetterWorkUserManager] = BetterWorkUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Each role carries exactly the scope it needs, and nothing else (no stray factory on a buyer).
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=sorted(COUNTRY_ROLES),
                        country__isnull=False,
                        factory__isnull=True,
                        buyer__isnull=True,
                    )
                    | Q(role=Role.FACTORY, factory__isnull=False, country__isnull=True, buyer__isnull=True)
                    | Q(role=Role.BUYER, buyer__isnull=False, country__isnull=True, factory__isnull=True)
                    | Q(role=Role.GLOBAL_ADMIN, country__isnull=True, factory__isnull=True, buyer__isnull=True)
                    | Q(role="", is_superuser=True, country__isnull=True, factory__isnull=True, buyer__isnull=True)
                ),
                name="%(app_label)s_%(class)s_scope_matches_role",
                violation_error_message=_(
                    "A programme manager, advisor or assessor needs a country; a factory user a factory; "
                    "a buyer user a buyer; a global administrator none of these."
                ),
            ),
        ]

    @property
    def effective_role(self) -> str:
        return Role.GLOBAL_ADMIN if self.is_superuser else self.role

    @property
    def is_global_admin(self) -> bool:
        return self.effective_role == Role.GLOBAL_ADMIN

    @property
    def is_programme_staff(self) -> bool:
        """Global admin, programme manager, advisor or assessor."""
        return self.effective_role in STAFF_ROLES

    @property
    def needs_two_factor(self) -> bool:
        """Programme staff must sign in with a second factor (TOTP)."""
        return self.is_programme_staff
