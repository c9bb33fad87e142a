"""Writes of the advisory app: visits, the improvement plan, progress reports, zero-tolerance cases."""

from advisory.services.visits import advisory_days_used, visit_record

__all__ = ["advisory_days_used", "visit_record"]
