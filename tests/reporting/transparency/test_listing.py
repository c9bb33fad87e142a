"""The listing rules (R-PUB-1/3/4/6) and the snapshot written on publication (R-PUB-2)."""

from datetime import date

import pytest

from assessments.services.feedback import finding_revise
from reporting.models import PublicAssessment, PublicFinding, PublicListing
from reporting.services.transparency import listings_refresh, rebuild, snapshot_write
from tests.assessments.builders import manager_of
from tests.assessments.builders import published as published_through_services
from tests.builders import FactoryBuilder, country
from tests.reporting.transparency.builders import assessment_row, findings, published

pytestmark = pytest.mark.django_db


def listing_of(factory):
    return PublicListing.objects.filter(factory=factory).first()


def codes(listing):
    return sorted(listing.issues.exclude(state="compliant").values_list("issue_id", flat=True))


def test_two_published_assessments_since_the_launch_are_needed():
    """R-PUB-1: Cambodia began public reporting on 2014-03-01; assessments before it do not count."""
    factory = FactoryBuilder(country=country("KH"))
    snapshot_write(published(factory, date(2013, 5, 1), ["OSH-2"]))
    snapshot_write(published(factory, date(2024, 5, 1)))
    assert listing_of(factory) is None
    snapshot_write(published(factory, date(2025, 5, 1), ["COMP-1"]))
    listing = listing_of(factory)
    assert (listing.latest_assessed_on, listing.previous_assessed_on) == (date(2025, 5, 1), date(2024, 5, 1))
    assert codes(listing) == ["COMP-1"]
    assert listing.non_compliant_count == 1
    assert not listing.full_compliance


def test_a_country_without_a_launch_date_lists_nobody():
    factory = FactoryBuilder(country=country("EG"))
    for year in (2023, 2024, 2025):
        snapshot_write(published(factory, date(year, 5, 1), ["OSH-2"]))
    assert listing_of(factory) is None


def test_unpublished_assessments_do_not_count():
    """R-PUB-2: finalised but unpublished, or still in feedback: nothing public."""
    factory = FactoryBuilder(country=country("KH"))
    snapshot_write(published(factory, date(2024, 5, 1)))
    finalised = assessment_row(factory, on=date(2025, 5, 1), status="finalised")
    findings(finalised, {"OSH-2": "non_compliant"})
    snapshot_write(finalised)
    assert listing_of(factory) is None
    assert not PublicAssessment.objects.filter(assessment=finalised).exists()
    assert rebuild()["listed"] == 0


def test_country_exceptions_are_left_out_and_do_not_count_against_full_compliance():
    """R-PUB-4: FOA-4 is not reported in Jordan."""
    factory = FactoryBuilder(country=country("JO"))
    snapshot_write(published(factory, date(2024, 5, 1), ["FOA-4"]))
    snapshot_write(published(factory, date(2025, 5, 1), ["FOA-4"]))
    listing = listing_of(factory)
    assert listing.full_compliance
    assert listing.non_compliant_count == 0
    assert not listing.issues.filter(issue_id="FOA-4").exists()
    assert listing.issues.count() == PublicFinding.objects.filter(snapshot__factory=factory).count() // 2 - 1


def test_the_two_most_recent_only_and_a_new_assessment_replaces_the_oldest():
    """R-PUB-3/6: non-compliant in either of the two most recent; the third pushes the first out."""
    factory = FactoryBuilder(country=country("VN"))
    snapshot_write(published(factory, date(2022, 5, 1), ["OSH-2"]))
    snapshot_write(published(factory, date(2023, 5, 1), ["COMP-2"]))
    snapshot_write(published(factory, date(2024, 5, 1)))
    listing = listing_of(factory)
    assert codes(listing) == ["COMP-2"]
    row = listing.issues.get(issue_id="COMP-2")
    assert (row.previous, row.latest) == (True, False)
    assert (listing.latest_assessed_on, listing.previous_assessed_on) == (date(2024, 5, 1), date(2023, 5, 1))
    snapshot_write(published(factory, date(2025, 5, 1)))
    listing = listing_of(factory)
    assert listing.full_compliance
    assert codes(listing) == []
    assert listing.issues.get(issue_id="OSH-2").state == "compliant"


def test_an_issue_without_a_finding_counts_as_compliant():
    factory = FactoryBuilder(country=country("KH"))
    snapshot_write(published(factory, date(2024, 5, 1), ["CL-1"], all_issues=False))
    snapshot_write(published(factory, date(2025, 5, 1), [], all_issues=False))
    assert codes(listing_of(factory)) == ["CL-1"]


def test_rebuild_is_idempotent_and_the_command_prints_counts(capsys):
    from django.core.management import call_command

    factory = FactoryBuilder(country=country("KH"))
    published(factory, date(2024, 5, 1), ["OSH-2"])
    published(factory, date(2025, 5, 1))
    call_command("rebuild_transparency")
    first = list(listing_of(factory).issues.values_list("issue_id", "state", "latest", "previous"))
    call_command("rebuild_transparency")
    assert list(listing_of(factory).issues.values_list("issue_id", "state", "latest", "previous")) == first
    out = capsys.readouterr().out
    assert out.count("2 published assessments") == 2
    assert "1 listed factories" in out
    assert listings_refresh([factory.pk]) == 1


def test_publication_and_correction_through_the_services_update_the_portal():
    """The signals sent inside assessment_publish and finding_revise write the snapshot (R-PUB-2)."""
    assessment = published_through_services("KH")  # non-compliant on OSH.2.01 (OSH-2) and COMP.5.01
    factory = assessment.factory
    assert PublicAssessment.objects.filter(assessment=assessment).exists()
    assert listing_of(factory) is None
    earlier = published(factory, date(2025, 4, 20))
    snapshot_write(earlier)
    listing = listing_of(factory)
    assert "OSH-2" in codes(listing)
    finding_revise(assessment_id=assessment.pk, actor=manager_of(assessment), question="OSH.2.01",
                   result="compliant", notes="", reason="The exit was open; the photo was misread.")  # fmt: skip
    assert "OSH-2" not in codes(listing_of(factory))
