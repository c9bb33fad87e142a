"""Named domain signals the factories app emits for higher apps (STYLE §9.1: the only signals we allow).

`cycles_closed(cycle_ids=[...])`: sent after the sweep closes ended cycles; the advisory app carries
open improvement-plan items into the next cycle (R-CYC-9).
"""

import django.dispatch

cycles_closed = django.dispatch.Signal()
