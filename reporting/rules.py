"""Who may do what with the public portal's remediation accounts (R-PUB-5).

- `reporting.add_remediation` (checked on the factory): its own factory users answer its public findings.
- `reporting.moderate_remediation` (checked on the remediation): the programme staff of the factory's country
  and global admins approve, reject and verify.
"""

import rules

from betterwork.accounts.predicates import is_global_admin
from factories.rules import is_staff_of_its_country, works_for_it

rules.add_perm("reporting.add_remediation", works_for_it)
rules.add_perm("reporting.moderate_remediation", is_global_admin | is_staff_of_its_country)

# django-rules autodiscovers only rules.py: the differentiation permissions live beside it.
from reporting import rules_differentiation  # noqa: E402, F401
