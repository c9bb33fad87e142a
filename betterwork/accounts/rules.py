"""Who may do what to user accounts."""

import rules

from betterwork.accounts.predicates import is_global_admin, is_programme_manager

# Creating and listing users: global admins anywhere, programme managers inside their own country
# (the serializer pins the country; see api/serializers.py).
rules.add_perm("accounts.add_user", is_global_admin | is_programme_manager)
rules.add_perm("accounts.view_user", is_global_admin | is_programme_manager)
