"""The improvement plan as a spreadsheet (CSV)."""

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook

from advisory.models import ImprovementPlanItem


def plan_header() -> list[str]:
    return [_("Cluster"), _("Source"), _("Standard issue"), _("Issue"), _("Critical issue"), _("Action"),
            _("Responsible person"), _("Target date"), _("Raised on"), _("Status")]  # fmt: skip


def plan_rows(items: Iterable[ImprovementPlanItem]) -> list[list[str]]:
    return [_row(item) for item in items]


def _row(item: ImprovementPlanItem) -> list[str]:
    return [
        item.cluster.code,
        item.get_source_display(),
        str(item.option.number) if item.option else "",
        item.option.tr.text if item.option and not item.text else item.text,
        item.critical_issue_id or "",
        item.action,
        item.responsible,
        item.target_date.isoformat() if item.target_date else "",
        item.raised_on.isoformat(),
        item.get_status_display(),
    ]


def plan_csv(items: Iterable[ImprovementPlanItem]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(plan_header())
    for row in plan_rows(items):
        writer.writerow([formula_safe(cell) for cell in row])
    return out.getvalue()


def formula_safe(cell: str) -> str:
    """No spreadsheet formulas from user text (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def plan_xlsx(items: Iterable[ImprovementPlanItem], *, title: str) -> bytes:
    """The same rows as the CSV, as an Excel workbook."""

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Improvement plan")[:31]
    sheet.append([title])
    sheet.append(plan_header())
    for row in plan_rows(items):
        sheet.append([formula_safe(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
