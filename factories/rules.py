"""Who may change countries and factories."""

import rules

from betterwork.accounts.predicates import is_global_admin, manages_country_of

# R-CTY-2: the service phase and the public-reporting launch are set by the country's programme manager.
rules.add_perm("factories.change_country", is_global_admin | manages_country_of)
