"""Issue 9 §5 uploads: every upload — assessment evidence (`assessments.services.fieldwork.evidence_add`, its
page and its API) and the factories' remediation files (`reporting.services.transparency.remediation_submit`,
R-PUB-5) — is checked by content, not by name or declared type, and limited in size; uploaded files are never
served from a public path (no MEDIA_URL route: files only leave through views that check who asks); photos are
re-encoded with their metadata (EXIF, GPS position) stripped — not done yet: the test is an expected failure."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver
from PIL import ExifTags, Image

from assessments.models import Evidence
from assessments.services.fieldwork import evidence_add, findings_save
from assessments.services.questions import questions_of
from betterwork.common.exceptions import ApplicationError
from reporting.models import RemediationFile
from reporting.services.transparency import remediation_submit, snapshot_write
from tests.assessments.builders import assessor_of, in_progress
from tests.builders import FactoryBuilder, country, factory_user, png_bytes
from tests.reporting.transparency.builders import published

pytestmark = pytest.mark.django_db

PNG = png_bytes()
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64  # a Windows executable's header
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
DISGUISED = {
    "HTML named .png": ("photo.png", HTML, "image/png"),
    "executable named .jpg": ("photo.jpg", EXE, "image/jpeg"),
    "SVG with script named .png": ("photo.png", SVG, "image/png"),
    "HTML named .pdf": ("report.pdf", HTML, "application/pdf"),
}


def gps_jpeg() -> bytes:
    """A real JPEG whose EXIF block records a camera and the GPS position where it was taken."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (11.0, 33.0, 12.5),
                ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (104.0, 55.0, 1.0)})  # fmt: skip
    buffer = BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert dict(Image.open(BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))  # the fixture has a position
    return data


def _gps_of(stored) -> dict:
    with stored.open("rb") as handle:
        image = Image.open(BytesIO(handle.read()))
        image.load()  # still a decodable image
    exif = image.getexif()
    return {**dict(exif.get_ifd(ExifTags.IFD.GPSInfo)), **({"make": exif[ExifTags.Base.Make]} if ExifTags.Base.Make
                                                           in exif else {})}  # fmt: skip


# --- assessment evidence --------------------------------------------------------------------------------------


@pytest.fixture
def answered():
    assessment = in_progress()
    assessor = assessor_of(assessment)
    question = questions_of(assessment).first()
    findings_save(assessment_id=assessment.pk, actor=assessor, answers=[{"question": question.code,
                                                                         "result": "compliant"}])  # fmt: skip
    return assessment, assessor, question


@pytest.mark.parametrize("what", list(DISGUISED))
def test_evidence_is_checked_by_content_not_by_name(answered, what):
    assessment, assessor, question = answered
    name, content, declared = DISGUISED[what]
    with pytest.raises(ApplicationError) as refused:
        evidence_add(assessment_id=assessment.pk, actor=assessor, question=question.code,
                     upload=SimpleUploadedFile(name, content, content_type=declared))  # fmt: skip
    assert refused.value.field == "file"
    assert not Evidence.objects.exists()


def test_evidence_type_comes_from_the_content_whatever_the_name(answered):
    assessment, assessor, question = answered
    evidence = evidence_add(assessment_id=assessment.pk, actor=assessor, question=question.code,
                            upload=SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf"))  # fmt: skip
    assert evidence.content_type == "image/png"


def test_evidence_api_refuses_a_disguised_file(answered, api_client):
    assessment, assessor, question = answered
    api_client.force_authenticate(assessor)
    response = api_client.post(f"/api/v1/assessments/{assessment.pk}/evidence/",
                               {"question": question.code, "file": SimpleUploadedFile("x.png", HTML)},
                               format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Evidence.objects.exists()


def test_evidence_size_is_limited(answered, settings):
    assessment, assessor, question = answered
    settings.BETTERWORK = {**settings.BETTERWORK, "EVIDENCE_MAX_BYTES": 1_048_576}
    with pytest.raises(ApplicationError, match="at most 1 MB"):
        evidence_add(assessment_id=assessment.pk, actor=assessor, question=question.code,
                     upload=SimpleUploadedFile("big.png", PNG + b"\x00" * 1_048_576))  # fmt: skip
    assert not Evidence.objects.exists()


def test_evidence_photos_are_re_encoded_without_their_gps_position(answered):
    assessment, assessor, question = answered
    evidence = evidence_add(assessment_id=assessment.pk, actor=assessor, question=question.code,
                            upload=SimpleUploadedFile("site.jpg", gps_jpeg(), content_type="image/jpeg"))  # fmt: skip
    assert _gps_of(evidence.file) == {}


def test_uploaded_files_have_no_public_path(answered, client, settings):
    """No URL serves MEDIA_ROOT (no `static()`/`serve` route, MEDIA_ROOT outside the static folders): the
    stored file's own path, under /media/ or not, answers 404; the download view answers only its readers."""
    assessment, assessor, question = answered
    evidence = evidence_add(assessment_id=assessment.pk, actor=assessor, question=question.code,
                            upload=SimpleUploadedFile("p.png", PNG))  # fmt: skip
    stored = evidence.file.name
    assert stored
    anonymous = Client()
    for path in (f"/media/{stored}", f"/{stored}", f"{settings.MEDIA_URL.rstrip('/')}/{stored}"):
        assert anonymous.get(path if path.startswith("/") else "/" + path).status_code == 404, path
    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not any("media" in route for route in routes)
    static_roots = [str(settings.STATIC_ROOT), *map(str, settings.STATICFILES_DIRS)]
    assert not any(str(settings.MEDIA_ROOT).startswith(root) for root in static_roots)
    download = f"/assessments/{assessment.pk}/fieldwork/evidence/{evidence.pk}/"
    assert anonymous.get(download).status_code in (302, 404)  # to the sign-in page, never the file
    someone = Client()
    someone.force_login(factory_user(assessment.factory))  # the assessed factory: evidence is the programme's
    assert someone.get(download).status_code == 404


# --- remediation files (R-PUB-5) ------------------------------------------------------------------------------


@pytest.fixture
def listed():
    factory = FactoryBuilder(country=country("KH"), name="Golden Thread")
    snapshot_write(published(factory, date(2024, 5, 1), ["OSH-2"]))
    snapshot_write(published(factory, date(2025, 5, 1), ["OSH-2"]))
    return factory


def _submit(factory, *files):
    return remediation_submit(actor=factory_user(factory), factory_id=factory.pk, issue="OSH-2",
                              comment="Exit doors unlocked.", files=list(files))  # fmt: skip


@pytest.mark.parametrize("what", list(DISGUISED))
def test_remediation_files_are_checked_by_content_not_by_name(listed, what):
    name, content, declared = DISGUISED[what]
    with pytest.raises(ApplicationError) as refused:
        _submit(listed, SimpleUploadedFile(name, content, content_type=declared))
    assert refused.value.field == "files"
    assert not RemediationFile.objects.exists()


def test_remediation_file_size_is_limited(listed, settings):
    settings.BETTERWORK = {**settings.BETTERWORK, "EVIDENCE_MAX_BYTES": 1_048_576}
    with pytest.raises(ApplicationError, match="at most 1 MB"):
        _submit(listed, SimpleUploadedFile("big.png", PNG + b"\x00" * 1_048_576))
    assert not RemediationFile.objects.exists()


def test_an_unmoderated_remediation_file_is_not_served(listed, client):
    stored = _submit(listed, SimpleUploadedFile("door.png", PNG)).files.get()
    assert client.get(f"/transparency/remediation-files/{stored.pk}/").status_code == 404
    assert client.get(f"/media/{stored.file.name}").status_code == 404


def test_remediation_photos_are_re_encoded_without_their_gps_position(listed):
    stored = _submit(listed, SimpleUploadedFile("door.jpg", gps_jpeg(), content_type="image/jpeg")).files.get()
    assert _gps_of(stored.file) == {}
