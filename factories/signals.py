"""Named domain signals that lower apps emit for higher ones (STYLE §9.1: the only signals we allow).

`cycles_closed(cycle_ids=[...])`: sent after the sweep closes ended cycles; the advisory app carries
open improvement-plan items into the next cycle (R-CYC-9).

`plan_items_arrived(factory=, source=, entries=[...], actor=)`: a finalised assessment's non-compliances
(source "assessment") or a seminar's action plan (source "seminar") become improvement-plan items
(R-ADV-2); the advisory app receives it (`advisory.services.plan.items_from_sources` says what an entry
holds). Sent inside the sender's transaction: the items arrive with it or not at all.

`assessment_milestone_cancelled(cycle=, actor=, reason=)`: a replan took the assessment out of an open cycle
(stage 2 skips every other cycle, a service phase without assessments); the assessments app cancels an
assessment already planned in it. Sent inside the replan's transaction.
"""

import django.dispatch

cycles_closed = django.dispatch.Signal()
plan_items_arrived = django.dispatch.Signal()
assessment_milestone_cancelled = django.dispatch.Signal()
