"""The public transparency portal's snapshot and listings (R-PUB), and the factories' remediation accounts.

Write side only: the public pages, the JSON and the CSV read `PublicListing` / `PublicListingIssue` and
nothing else (RELIABILITY §2.5.5).

- `snapshot_write(assessment)`: on publication or correction of a published assessment, record for every
  critical issue whether any finding on a question mapped to it is non-compliant (R-PUB-2: finalised,
  published findings only), then recompute the factory's listing.
- `listings_refresh(factory_ids)`: recompute listings from the snapshots, in a fixed number of queries
  whatever the number of factories (R-PUB-1/3/4/6): listed with two or more published assessments assessed on
  or after the country's launch of public reporting; the two most recent; per issue reported in the country,
  non-compliant in either → non-compliant, unless the factory's approved account of a fix answers the most
  recent assessment (factory_reports_fixed) and the programme verified it (verified).
- `rebuild()`: every snapshot and listing from the published assessments (idempotent).
- `cached_public(...)`: the public list page and JSON, cached per listings version (changed by every refresh).
- `remediation_submit` / `remediation_moderate` / `remediation_verify` (R-PUB-5).
"""

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from advisory.exports import formula_safe
from assessments.models import Assessment, CriticalIssue, CriticalIssueException, Finding
from betterwork.accounts.models import Role, User
from betterwork.accounts.policy import get_visible_or_404, may
from betterwork.common.exceptions import ApplicationError, InvalidTransition, NotPermitted
from betterwork.common.notifications import notify
from betterwork.common.uploads import checked_upload
from factories.models import Country, Factory
from factories.names import normalize_name
from reporting.models import (
    PublicAssessment,
    PublicFinding,
    PublicListing,
    PublicListingIssue,
    Remediation,
    RemediationFile,
)

State = PublicListingIssue.State
MAX_REMEDIATION_FILES = 5
BATCH = 500  # factories recomputed per round of queries in a full rebuild


def search_key(name: str) -> str:
    """The form names are searched in (`PublicListing.search_name`, `?search=`): `factories.names.normalize_name`
    (accents, punctuation and legal forms dropped), or the plain lower-case name when nothing would remain."""
    return normalize_name(name) or " ".join(name.casefold().split())


# --- snapshot --------------------------------------------------------------------------------------------------


def _snapshot_rows(assessments: Sequence[Assessment], issue_codes: Sequence[str]) -> list[PublicFinding]:
    non_compliant = set(
        Finding.objects.filter(
            assessment__in=[a.pk for a in assessments],
            result=Finding.Result.NON_COMPLIANT,
            question__critical_issue__isnull=False,
        ).values_list("assessment_id", "question__critical_issue_id")
    )
    return [
        PublicFinding(snapshot_id=a.pk, issue_id=code, non_compliant=(a.pk, code) in non_compliant)
        for a in assessments
        for code in issue_codes
    ]


def _write_snapshots(assessments: Sequence[Assessment], issue_codes: Sequence[str]) -> None:
    ids = [a.pk for a in assessments]
    PublicFinding.objects.filter(snapshot_id__in=ids).delete()
    PublicAssessment.objects.filter(pk__in=ids).delete()
    PublicAssessment.objects.bulk_create(
        PublicAssessment(
            assessment_id=a.pk, factory_id=a.factory_id, country_id=a.factory.country_id, assessed_on=a.started_on,
            published_at=a.published_at, revision=a.revision,
        )
        for a in assessments
    )  # fmt: skip
    PublicFinding.objects.bulk_create(_snapshot_rows(assessments, issue_codes), batch_size=BATCH)


def snapshot_write(assessment: Assessment) -> None:
    """R-PUB-2: the published assessment's critical issues, then its factory's listing. An assessment that is
    not published (a correction while finalised) leaves the public side untouched."""
    if assessment.status != Assessment.Status.PUBLISHED or assessment.published_at is None:
        return
    assessment = Assessment.objects.select_related("factory").get(pk=assessment.pk)
    _write_snapshots([assessment], list(CriticalIssue.objects.values_list("code", flat=True)))
    listings_refresh([assessment.factory_id])


# --- listings --------------------------------------------------------------------------------------------------


@dataclass
class _Snap:
    assessment_id: int
    assessed_on: date
    published_at: Any
    non_compliant: set[str]


def _order(snap: _Snap) -> tuple:
    return (snap.assessed_on, snap.published_at, snap.assessment_id)


def listings_refresh(factory_ids: Iterable[int]) -> int:
    """Recompute the listings of these factories from their snapshots (R-PUB-1/3/4/5/6). Returns how many of
    them are listed. A fixed number of queries per batch of factories."""
    factory_ids = sorted(set(factory_ids))
    listed = 0
    issues = list(CriticalIssue.objects.order_by("number").values_list("code", flat=True))
    launches = dict(Country.objects.values_list("code", "public_reporting_since"))
    exceptions: dict[str, set[str]] = defaultdict(set)
    for issue_id, country_id in CriticalIssueException.objects.values_list("issue_id", "country_id"):
        exceptions[country_id].add(issue_id)
    for start in range(0, len(factory_ids), BATCH):
        listed += _refresh_batch(factory_ids[start : start + BATCH], issues, launches, exceptions)
    _listings_changed()
    return listed


# --- the version of the public listings: the key of cached portal pages ----------------------------------------
VERSION_KEY = "transparency:version"


def listings_version() -> str:
    """Changes whenever a listing changes (a new value, never a count: an evicted key cannot bring back old pages)."""
    return cache.get_or_set(VERSION_KEY, _new_version, None)


PAGE_CACHE_SECONDS = 300  # bounds staleness where each process has its own cache (locmem); Redis is shared
CACHED_PARAMETERS = ("country", "cluster", "issue", "compliance", "search", "page")


def cached_public(name: str, params: Any, build: Callable[[], Any]) -> Any:
    """`build()`, or what it gave for the same listings version, language and filters (`params`, a QueryDict):
    the portal's first pages cost a cache read instead of their queries and their rendering."""
    wanted = json.dumps([[key, params.getlist(key)] for key in CACHED_PARAMETERS if key in params])
    digest = hashlib.sha256(wanted.encode()).hexdigest()[:32]
    key = f"transparency:{name}:{listings_version()}:{get_language()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, PAGE_CACHE_SECONDS)
    return value


def _listings_changed() -> None:
    """Now, and again once the change is committed, so that no request in between caches the old rows for good."""
    cache.set(VERSION_KEY, _new_version(), None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, _new_version(), None))


def _new_version() -> str:
    return uuid.uuid4().hex  # not the clock: tests (and a clock set back) would repeat it


def _refresh_batch(
    factory_ids: list[int], issues: list[str], launches: dict[str, date | None], exceptions: dict[str, set[str]]
) -> int:
    factories = {f.pk: f for f in Factory.objects.filter(pk__in=factory_ids).only("pk", "name", "country_id")}
    snaps: dict[int, dict[int, _Snap]] = defaultdict(dict)
    for row in PublicAssessment.objects.filter(factory_id__in=factory_ids).values(
        "assessment_id", "factory_id", "assessed_on", "published_at"
    ):
        snaps[row["factory_id"]][row["assessment_id"]] = _Snap(
            row["assessment_id"], row["assessed_on"], row["published_at"], set()
        )
    for factory_id, assessment_id, issue_id in PublicFinding.objects.filter(
        snapshot__factory_id__in=factory_ids, non_compliant=True
    ).values_list("snapshot__factory_id", "snapshot_id", "issue_id"):
        snaps[factory_id][assessment_id].non_compliant.add(issue_id)
    remediations: dict[tuple[int, str], list[Remediation]] = defaultdict(list)
    for remediation in Remediation.objects.filter(
        factory_id__in=factory_ids, status=Remediation.Status.APPROVED
    ).order_by("-verified_on", "-moderated_at", "-pk"):
        remediations[(remediation.assessment_id, remediation.issue_id)].append(remediation)

    listings, rows = [], []
    for factory_id in factory_ids:
        factory = factories.get(factory_id)
        launch = launches.get(factory.country_id) if factory else None
        if launch is None:
            continue
        eligible = sorted((s for s in snaps[factory_id].values() if s.assessed_on >= launch), key=_order)
        if len(eligible) < 2:  # R-PUB-1
            continue
        previous, latest = eligible[-2], eligible[-1]  # R-PUB-3: the two most recent
        count = 0
        for code in issues:
            if code in exceptions[factory.country_id]:  # R-PUB-4
                continue
            in_latest, in_previous = code in latest.non_compliant, code in previous.non_compliant
            state, shown = State.COMPLIANT, None
            if in_latest or in_previous:
                count += 1
                state = State.NON_COMPLIANT
                answers = remediations.get((latest.assessment_id, code))
                if answers:  # R-PUB-5: the factory's approved account answering the most recent assessment
                    shown = answers[0]
                    state = State.VERIFIED if shown.verified_on else State.FACTORY_REPORTS_FIXED
            rows.append(
                PublicListingIssue(
                    listing_id=factory_id, issue_id=code, latest=in_latest, previous=in_previous, state=state,
                    remediation=shown,
                )
            )  # fmt: skip
        listings.append(
            PublicListing(
                factory_id=factory_id, name=factory.name, search_name=search_key(factory.name),
                country_id=factory.country_id, latest_assessed_on=latest.assessed_on,
                previous_assessed_on=previous.assessed_on, non_compliant_count=count, full_compliance=count == 0,
            )
        )  # fmt: skip
    PublicListingIssue.objects.filter(listing_id__in=factory_ids).delete()
    PublicListing.objects.filter(factory_id__in=factory_ids).delete()
    PublicListing.objects.bulk_create(listings, batch_size=BATCH)
    PublicListingIssue.objects.bulk_create(rows, batch_size=BATCH)
    return len(listings)


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Every snapshot and every listing, from the published assessments (idempotent; `rebuild_transparency`)."""
    issue_codes = list(CriticalIssue.objects.values_list("code", flat=True))
    published = list(
        Assessment.objects.filter(status=Assessment.Status.PUBLISHED, published_at__isnull=False)
        .select_related("factory")
        .only("pk", "factory_id", "factory__country_id", "started_on", "published_at", "revision")
        .order_by("pk")
    )
    stale = PublicAssessment.objects.exclude(assessment__in=[a.pk for a in published])
    PublicFinding.objects.filter(snapshot__in=stale).delete()
    stale.delete()
    for start in range(0, len(published), BATCH):
        _write_snapshots(published[start : start + BATCH], issue_codes)
    factory_ids = set(PublicListing.objects.values_list("factory_id", flat=True)) | {a.factory_id for a in published}
    listed = listings_refresh(factory_ids)
    return {"assessments": len(published), "findings": len(published) * len(issue_codes), "listed": listed}


# --- remediation (R-PUB-5) -------------------------------------------------------------------------------------


def _latest_listed_assessment(factory_id: int) -> int | None:
    """The assessment the listing's most recent column shows (same order as `listings_refresh`)."""
    listing = PublicListing.objects.filter(factory_id=factory_id).first()
    if listing is None:
        return None
    latest = (
        PublicAssessment.objects.filter(factory_id=factory_id, assessed_on=listing.latest_assessed_on)
        .order_by("-published_at", "-assessment_id")
        .first()
    )
    return latest.assessment_id if latest else None


def remediation_submit(
    *, actor: Any, factory_id: int, issue: str, comment: str, files: Sequence[UploadedFile] = ()
) -> Remediation:
    """A factory user says a publicly reported non-compliance of its factory is fixed: a comment and up to
    five photos or PDFs, shown on the portal (marked unverified) only once the programme approves it."""
    factory = get_visible_or_404(actor, Factory, pk=factory_id)
    if not may(actor, "add", factory, model=Remediation):
        raise NotPermitted(_("Only the factory's own users answer its public findings."))
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(_("Say what was done to fix it."), field="comment")
    if len(files) > MAX_REMEDIATION_FILES:
        raise ApplicationError(_("Attach at most %(n)s files.") % {"n": MAX_REMEDIATION_FILES}, field="files")
    checked = [checked_upload(upload, field="files") for upload in files]
    with transaction.atomic():
        row = PublicListingIssue.objects.filter(listing_id=factory_id, issue_id=issue).first()
        if row is None or row.state == State.COMPLIANT:
            raise ApplicationError(_("This issue is not a public non-compliance of the factory."), field="issue")
        assessment_id = _latest_listed_assessment(factory_id)
        if Remediation.objects.filter(
            factory_id=factory_id, issue_id=issue, assessment_id=assessment_id,
            status__in=(Remediation.Status.SUBMITTED, Remediation.Status.APPROVED),
        ).exists():  # fmt: skip
            raise InvalidTransition(_("An account of this fix is already awaiting moderation or shown."))
        remediation = Remediation.objects.create(
            factory_id=factory_id, issue_id=issue, assessment_id=assessment_id, comment=comment, submitted_by=actor
        )
        for upload in checked:
            stored = RemediationFile(
                remediation=remediation, name=upload.name, content_type=upload.content_type, size=upload.size
            )
            stored.file.save(upload.content.name, upload.content, save=False)
            stored.save()
        notify(
            User.objects.filter(role=Role.PROGRAMME_MANAGER, country_id=factory.country_id, is_active=True),
            key=f"remediation:{remediation.pk}:submitted",
            url="/transparency/moderation/",
            text=lambda: (
                _("A factory response to moderate: %(factory)s") % {"factory": factory.name},
                _("%(factory)s says public issue %(issue)s is fixed; approve or reject its response.")
                % {"factory": factory.name, "issue": issue},
            ),
        )
    return remediation


def _moderatable(actor: Any, remediation_id: int, action: str) -> Remediation:
    remediation = get_visible_or_404(actor, Remediation, pk=remediation_id)
    if not may(actor, action, remediation):
        raise NotPermitted(_("Only the programme staff of the factory's country moderate its public responses."))
    return Remediation.objects.select_for_update().get(pk=remediation.pk)


def remediation_moderate(*, actor: Any, remediation_id: int, approve: bool, note: str = "") -> Remediation:
    """Approve (shown on the portal, marked unverified) or reject (never shown) a submitted account."""
    with transaction.atomic():
        remediation = _moderatable(actor, remediation_id, "moderate")
        if remediation.status != Remediation.Status.SUBMITTED:
            raise InvalidTransition(_("This response has already been moderated."))
        note = (note or "").strip()
        if not approve and not note:
            raise ApplicationError(_("Tell the factory why its response is not shown."), field="note")
        remediation.status = Remediation.Status.APPROVED if approve else Remediation.Status.REJECTED
        remediation.moderated_by, remediation.moderated_at, remediation.moderation_note = actor, timezone.now(), note
        remediation.save()
        listings_refresh([remediation.factory_id])
        notify(
            [remediation.submitted_by],
            key=f"remediation:{remediation.pk}:moderated",
            url="/transparency/my-responses/",
            text=lambda: (
                _("Your public response is shown") if approve else _("Your public response is not shown"),
                _("Issue %(issue)s: %(note)s") % {"issue": remediation.issue_id, "note": note or _("approved")},
            ),
        )
    return remediation


def remediation_verify(*, actor: Any, remediation_id: int, verified_on: date, how: str) -> Remediation:
    """The programme checked the fix (a visit, documents...): the portal shows it verified, with date and how."""
    how = (how or "").strip()
    if not how:
        raise ApplicationError(_("Say how the fix was verified."), field="verification")
    if verified_on is None or verified_on > timezone.localdate():
        raise ApplicationError(_("Give the day the fix was verified (not in the future)."), field="verified_on")
    with transaction.atomic():
        remediation = _moderatable(actor, remediation_id, "moderate")
        if remediation.status != Remediation.Status.APPROVED or remediation.verified_on is not None:
            raise InvalidTransition(_("Only an approved, unverified response can be verified."))
        if verified_on < remediation.submitted_at.date():
            raise ApplicationError(_("The fix cannot be verified before the factory reported it."), field="verified_on")
        remediation.verified_on, remediation.verified_by, remediation.verification = verified_on, actor, how
        remediation.save()
        listings_refresh([remediation.factory_id])
    return remediation


# --- read side: the public list, JSON and CSV (listing tables only) --------------------------------------------

NOT_COMPLIANT_STATES = (State.NON_COMPLIANT, State.FACTORY_REPORTS_FIXED, State.VERIFIED)


def public_listings(params: Any) -> Any:
    """The listings matching the public filters (`params` a QueryDict or dict): `country` (ISO code), `search`
    (in the name, normalised like the stored `search_name`), `issue` (non-compliant on that critical issue in
    either assessment), `cluster` (on any issue of that cluster), `compliance` (`full` or `any`: in full
    compliance, or with any non-compliance). Ordered by country, name."""
    listings = PublicListing.objects.all()
    if country := (params.get("country") or "").strip().upper():
        listings = listings.filter(country_id=country)
    if search := (params.get("search") or "").strip():
        key = search_key(search)
        if key:
            listings = listings.filter(search_name__contains=key)
    issue_rows = PublicListingIssue.objects.filter(state__in=NOT_COMPLIANT_STATES)
    if issue := (params.get("issue") or "").strip():
        listings = listings.filter(factory_id__in=issue_rows.filter(issue_id=issue).values("listing_id"))
    if cluster := (params.get("cluster") or "").strip():
        listings = listings.filter(factory_id__in=issue_rows.filter(issue__cluster_id=cluster).values("listing_id"))
    compliance = params.get("compliance")
    if compliance == "full":
        listings = listings.filter(full_compliance=True)
    elif compliance == "any":
        listings = listings.filter(full_compliance=False)
    return listings.order_by("country_id", "search_name", "factory_id")


def issue_states(listing_ids: Iterable[int] | Any) -> dict[int, list[tuple[str, str]]]:
    """`{factory_id: [(issue code, state), ...]}` in issue order, in one query (`listing_ids` may be a
    subquery: the full CSV passes its filtered queryset rather than 20,000 ids)."""
    states: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = PublicListingIssue.objects.filter(listing_id__in=listing_ids).order_by("listing_id", "issue__number")
    for listing_id, code, state in rows.values_list("listing_id", "issue_id", "state"):
        states[listing_id].append((code, state))
    return states


def public_row(listing: PublicListing, states: list[tuple[str, str]]) -> dict[str, Any]:
    """One row of the API contract (API.md, Public transparency) plus `issues` (every reported issue's
    state), `non_compliant_count` and `responses` (the factory's approved accounts shown beside them)."""
    return {
        "factory": {"id": listing.factory_id, "name": listing.name, "country": listing.country_id},
        "assessment_dates": [listing.latest_assessed_on.isoformat(), listing.previous_assessed_on.isoformat()],
        "non_compliant": [code for code, state in states if state != State.COMPLIANT],
        "full_compliance": listing.full_compliance,
        "non_compliant_count": listing.non_compliant_count,
        "responses": sum(1 for _code, state in states if state in (State.FACTORY_REPORTS_FIXED, State.VERIFIED)),
        "issues": [{"code": code, "state": state} for code, state in states],
    }


CSV_HEADER = (
    "factory_id", "factory", "country", "most_recent_assessment", "previous_assessment", "non_compliant",
    "full_compliance",
)  # fmt: skip


def csv_rows(listings: Any) -> Iterable[tuple]:
    """Every filtered listing as a CSV row, in two queries whatever their number: the non-compliant issue codes
    (one query, by subquery), then the listings streamed. Names are guarded against spreadsheet formulas."""
    codes: dict[int, list[str]] = defaultdict(list)
    rows = PublicListingIssue.objects.filter(
        listing_id__in=listings.values("factory_id"), state__in=NOT_COMPLIANT_STATES
    ).order_by("listing_id", "issue__number")
    for listing_id, code in rows.values_list("listing_id", "issue_id"):
        codes[listing_id].append(code)
    yield CSV_HEADER
    fields = ("factory_id", "name", "country_id", "latest_assessed_on", "previous_assessed_on", "full_compliance")
    for factory_id, name, country, latest, previous, full in listings.values_list(*fields).iterator(chunk_size=2000):
        nc = " ".join(codes.get(factory_id, ()))
        yield (factory_id, formula_safe(name), country, latest.isoformat(), previous.isoformat(), nc,
               "yes" if full else "no")  # fmt: skip
