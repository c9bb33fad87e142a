"""R-PUB-5: the factory's account of a fix, its moderation and the programme's verification: the three states
of a publicly reported issue. An unmoderated or rejected account is never public, nor are its files."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from betterwork.accounts.models import User
from betterwork.common.exceptions import ApplicationError, InvalidTransition, NotPermitted
from betterwork.common.models import Notification
from reporting.models import PublicListingIssue, Remediation
from reporting.services.transparency import (
    remediation_moderate,
    remediation_submit,
    remediation_verify,
    snapshot_write,
)
from tests.builders import FactoryBuilder, country, factory_user, global_admin, png_bytes, staff, with_totp
from tests.reporting.transparency.builders import published

pytestmark = pytest.mark.django_db
PNG = png_bytes()
PDF = b"%PDF-1.4\n%test\n"


def photo(name="exit.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def listed():
    factory = FactoryBuilder(country=country("KH"), name="Golden Thread")
    snapshot_write(published(factory, date(2024, 5, 1), ["OSH-2"]))
    snapshot_write(published(factory, date(2025, 5, 1), ["OSH-2", "COMP-1"]))
    return factory


def state(factory, code="OSH-2"):
    return PublicListingIssue.objects.get(listing_id=factory.pk, issue_id=code).state


def page(client, factory):
    return client.get(f"/transparency/factories/{factory.pk}/").content.decode()


def test_the_three_states_through_submission_moderation_and_verification(client, listed):
    user = factory_user(listed)
    remediation = remediation_submit(
        actor=user, factory_id=listed.pk, issue="OSH-2", comment="Door Z9 now opens <b>24/7</b>.",
        files=[photo(), SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")],
    )  # fmt: skip
    stored = list(remediation.files.all())
    assert [f.content_type for f in stored] == ["image/png", "application/pdf"]
    assert state(listed) == "non_compliant"
    assert "Door Z9" not in page(client, listed)
    assert client.get(f"/transparency/remediation-files/{stored[0].pk}/").status_code == 404

    manager = staff("programme_manager", "KH")
    remediation_moderate(actor=manager, remediation_id=remediation.pk, approve=True)
    assert state(listed) == "factory_reports_fixed"
    html = page(client, listed)
    assert "The factory reports it fixed (unverified)" in html
    assert "Door Z9 now opens &lt;b&gt;24/7&lt;/b&gt;." in html  # escaped, never markup
    response = client.get(f"/transparency/remediation-files/{stored[0].pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    assert client.get("/api/v1/public/transparency/").json()["results"][0]["responses"] == 1

    today = timezone.localdate()
    remediation_verify(actor=manager, remediation_id=remediation.pk, verified_on=today, how="Visit: exits open")
    assert state(listed) == "verified"
    html = page(client, listed)
    assert "Fixed, verified by the programme" in html
    assert f"Verified on {timezone.localdate():%Y-%m-%d}" in html
    assert "Visit: exits open" in html
    # The issue still counts as non-compliant in the assessments (R-PUB-3); the state tells the rest.
    row = client.get("/api/v1/public/transparency/").json()["results"][0]
    assert "OSH-2" in row["non_compliant"]
    assert {"code": "OSH-2", "state": "verified"} in row["issues"]


def test_a_rejected_response_is_never_public(client, listed):
    remediation = remediation_submit(
        actor=factory_user(listed), factory_id=listed.pk, issue="COMP-1", comment="Wages raised.", files=[photo()]
    )
    with pytest.raises(ApplicationError):
        remediation_moderate(actor=staff("advisor", "KH"), remediation_id=remediation.pk, approve=False)  # no note
    remediation_moderate(actor=staff("advisor", "KH"), remediation_id=remediation.pk, approve=False, note="No proof.")
    assert state(listed, "COMP-1") == "non_compliant"
    assert "Wages raised" not in page(client, listed)
    assert client.get(f"/transparency/remediation-files/{remediation.files.get().pk}/").status_code == 404
    with pytest.raises(InvalidTransition):
        remediation_verify(
            actor=staff("advisor", "KH"), remediation_id=remediation.pk, verified_on=timezone.localdate(), how="x"
        )


def test_a_newer_assessment_replaces_the_response(listed):
    """R-PUB-6: a response answers the most recent assessment; a newer one that finds the issue again shows it
    non-compliant again."""
    remediation = remediation_submit(actor=factory_user(listed), factory_id=listed.pk, issue="OSH-2", comment="Fixed.")
    remediation_moderate(actor=global_admin(), remediation_id=remediation.pk, approve=True)
    assert state(listed) == "factory_reports_fixed"
    snapshot_write(published(listed, date(2026, 5, 1), ["OSH-2"]))
    assert state(listed) == "non_compliant"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([photo("x.png", b"<html>not an image</html>")], "is not a JPEG or PNG photo or a PDF"),
        ([photo(f"{n}.png") for n in range(6)], "at most 5 files"),
    ],
)
def test_files_are_checked_by_their_first_bytes_and_counted(listed, files, message):
    with pytest.raises(ApplicationError, match=message):
        remediation_submit(actor=factory_user(listed), factory_id=listed.pk, issue="OSH-2", comment="ok", files=files)
    assert not Remediation.objects.exists()


def test_who_may_respond_and_moderate(listed):
    other = FactoryBuilder(country=country("KH"))
    with pytest.raises(Http404):  # another factory's user: the factory does not exist for it
        remediation_submit(actor=factory_user(other), factory_id=listed.pk, issue="OSH-2", comment="x")
    with pytest.raises(NotPermitted):
        remediation_submit(actor=staff("advisor", "KH"), factory_id=listed.pk, issue="OSH-2", comment="x")
    with pytest.raises(ApplicationError, match="not a public non-compliance"):
        remediation_submit(actor=factory_user(listed), factory_id=listed.pk, issue="CL-1", comment="x")
    remediation = remediation_submit(actor=factory_user(listed), factory_id=listed.pk, issue="OSH-2", comment="x")
    with pytest.raises(InvalidTransition):
        remediation_submit(actor=factory_user(listed), factory_id=listed.pk, issue="OSH-2", comment="again")
    with pytest.raises(Http404):  # staff of another country
        remediation_moderate(actor=staff("programme_manager", "VN"), remediation_id=remediation.pk, approve=True)
    with pytest.raises(NotPermitted):  # the factory sees its response but does not moderate it
        remediation_moderate(actor=factory_user(listed), remediation_id=remediation.pk, approve=True)


def test_the_pages_of_the_factory_and_the_moderators(client, listed):
    user = factory_user(listed)
    staff("programme_manager", "KH")  # told of responses to moderate
    client.force_login(user)
    response = client.get("/transparency/my-responses/")
    assert response.status_code == 200
    assert [row.issue_id for row in response.context["open_issues"]] == ["OSH-2", "COMP-1"]
    response = client.post(
        "/transparency/my-responses/", {"issue": "OSH-2", "comment": "Door unlocked.", "files": [photo()]}
    )
    assert response.status_code == 302
    remediation = Remediation.objects.get()
    assert remediation.files.count() == 1
    assert "Awaiting moderation" in client.get("/transparency/my-responses/").content.decode()
    assert client.get("/transparency/moderation/").status_code == 404  # factory users do not moderate

    manager = User.objects.get(role="programme_manager", country="KH")
    assert Notification.objects.get(recipient=manager).url == "/transparency/moderation/"
    with_totp(manager)
    client.force_login(manager)
    html = client.get("/transparency/moderation/").content.decode()
    assert "Door unlocked." in html
    assert client.get(f"/transparency/responses/files/{remediation.files.get().pk}/").status_code == 200
    client.post(f"/transparency/moderation/{remediation.pk}/moderate/", {"decision": "approve"})
    assert state(listed) == "factory_reports_fixed"
    assert Notification.objects.get(recipient=user).url == "/transparency/my-responses/"
    client.post(f"/transparency/moderation/{remediation.pk}/verify/",
                {"verified_on": timezone.localdate().isoformat(), "verification": "Checked on a visit."})  # fmt: skip
    assert state(listed) == "verified"

    elsewhere = staff("programme_manager", "VN")
    with_totp(elsewhere)
    client.force_login(elsewhere)
    assert "Door unlocked." not in client.get("/transparency/moderation/").content.decode()
    assert client.get(f"/transparency/responses/files/{remediation.files.get().pk}/").status_code == 404

    untrusted = staff("programme_manager", "KH")  # no second factor yet
    client.force_login(untrusted)
    assert client.get("/transparency/moderation/").status_code == 302
    client.logout()
    assert client.get("/transparency/my-responses/").status_code == 302  # to sign in
