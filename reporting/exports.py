"""The dashboards' tables as CSV and XLSX (`/dashboards/export/<table>.csv|.xlsx`): the same rows as the page.

Each table names the dashboard section it comes from, so an export computes only that section (a fixed number
of queries). Shares are written as percentages with one decimal, "" when there is nothing to rate. Cells are
guarded against spreadsheet formulas with the improvement plan's rule (`advisory.exports`).
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from advisory.exports import formula_safe
from reporting import dashboards
from reporting.dashboards import Scope


def _pct(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}"


@dataclass(frozen=True)
class Table:
    section: str  # "non_compliance", "cycle_health" or "service_delivery"
    title: Any
    header: Callable[[], list[str]]
    rows: Callable[[Any], list[list[Any]]]


def _clusters(data: dashboards.NonCompliance) -> list[list[Any]]:
    return [[r.code, r.name, r.factories, r.non_compliant, r.share] for r in data.clusters]


def _issues(data: dashboards.NonCompliance) -> list[list[Any]]:
    return [[r.code, r.title, r.cluster, r.factories, r.non_compliant, r.share] for r in data.issues]


def _countries(data: dashboards.NonCompliance) -> list[list[Any]]:
    return [
        [r.code, r.name, r.factories, r.rated, r.headline, r.with_critical, r.share_with_critical]
        for r in data.countries
    ]


def _trend(data: dashboards.NonCompliance) -> list[list[Any]]:
    return [[r.period, r.factories, r.rated, r.headline, r.with_critical, r.share_with_critical] for r in data.trend]


def _milestones(data: dashboards.CycleHealth) -> list[list[Any]]:
    return [
        [r.country, r.kind, r.kind_label, r.total, r.done, r.done_late, r.open, r.due_soon, r.overdue]
        for r in data.milestones
    ]


def _late(data: dashboards.CycleHealth) -> list[list[Any]]:
    return [
        [r.country, r.factory, r.overdue, r.oldest_due.isoformat(), r.days_late, "; ".join(r.kinds)]
        for r in data.late_factories
    ]


def _services(rows: list[dashboards.ServiceRow]) -> list[list[Any]]:
    return [
        [r.country, r.cycles, r.advisory_days_included, r.advisory_days_used, r.participant_days_included,
         r.participant_days_used, r.seminars_included, r.seminars_used, r.assessments_included, r.assessments_used]
        for r in rows
    ]  # fmt: skip


TABLES: dict[str, Table] = {
    "clusters": Table(
        "non_compliance", gettext_lazy("Non-compliance by cluster"),
        lambda: [_("Cluster"), _("Name"), _("Factories assessed"), _("Factories non-compliant"), _("Share (%)")],
        _clusters,
    ),
    "issues": Table(
        "non_compliance", gettext_lazy("Non-compliance by critical issue"),
        lambda: [_("Critical issue"), _("Title"), _("Cluster"), _("Factories assessed"), _("Factories non-compliant"),
                 _("Share (%)")],
        _issues,
    ),
    "countries": Table(
        "non_compliance", gettext_lazy("Non-compliance by country"),
        lambda: [_("Country"), _("Name"), _("Factories assessed"), _("Factories rated"), _("Headline rate (%)"),
                 _("Factories with a critical issue"), _("Share with a critical issue (%)")],
        _countries,
    ),
    "trend": Table(
        "non_compliance", gettext_lazy("Non-compliance over time"),
        lambda: [_("Period"), _("Factories assessed"), _("Factories rated"), _("Headline rate (%)"),
                 _("Factories with a critical issue"), _("Share with a critical issue (%)")],
        _trend,
    ),
    "milestones": Table(
        "cycle_health", gettext_lazy("Milestones of open cycles"),
        lambda: [_("Country"), _("Milestone"), _("Name"), _("Milestones"), _("Done"), _("Done late"), _("Open"),
                 _("Due soon"), _("Overdue")],
        _milestones,
    ),
    "late-factories": Table(
        "cycle_health", gettext_lazy("Factories with overdue milestones"),
        lambda: [_("Country"), _("Factory"), _("Overdue milestones"), _("Oldest due date"), _("Days late"),
                 _("Late on")],
        _late,
    ),
    "services": Table(
        "service_delivery", gettext_lazy("Service delivery against allowances"),
        lambda: [_("Country"), _("Open cycles"), _("Advisory days included"), _("Advisory days used"),
                 _("Participant-days included"), _("Participant-days used"), _("Seminars included"),
                 _("Seminars used"), _("Assessments included"), _("Assessments used")],
        _services,
    ),
}  # fmt: skip

SECTIONS: dict[str, Callable[[Scope], Any]] = {
    "non_compliance": dashboards.non_compliance,
    "cycle_health": dashboards.cycle_health,
    "service_delivery": dashboards.service_delivery,
}


def table_rows(name: str, scope: Scope) -> tuple[Table, list[list[Any]]]:
    table = TABLES[name]
    return table, table.rows(SECTIONS[table.section](scope))


def _csv_cell(value: Any) -> str:
    if value is None or isinstance(value, Fraction):
        return _pct(value)
    return formula_safe(value) if isinstance(value, str) else str(value)


def table_csv(name: str, scope: Scope) -> str:
    table, rows = table_rows(name, scope)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.header())
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return out.getvalue()


def table_xlsx(name: str, scope: Scope, *, subtitle: str = "") -> bytes:
    """The same rows as the CSV, numbers kept as numbers, under a title line (and the scope's description)."""
    table, rows = table_rows(name, scope)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(table.title)[:31]
    sheet.append([str(table.title)])
    if subtitle:
        sheet.append([subtitle])
    sheet.append(table.header())
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Fraction):
        return round(float(value) * 100, 1)  # a percentage
    if isinstance(value, str):
        return formula_safe(value)
    return value if isinstance(value, int) else float(value)
