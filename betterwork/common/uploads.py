"""Uploaded documents and photos (evidence, remediation files): checked by content, size-limited, images
re-encoded without their metadata (EXIF, GPS), stored under a random name. Never served from a public path:
the views that stream them check who asks (RELIABILITY §2.7)."""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from betterwork.common.exceptions import ApplicationError

ACCEPTED = {  # what a file's first bytes must be → its type and extension
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"%PDF-": ("application/pdf", "pdf"),
}
Image.MAX_IMAGE_PIXELS = 50_000_000  # larger is refused (decompression bombs)


@dataclass(frozen=True)
class CheckedUpload:
    content: ContentFile
    name: str  # what the user called it (shown, never used as a path)
    content_type: str

    @property
    def size(self) -> int:
        return self.content.size


def checked_upload(upload: UploadedFile, *, field: str) -> CheckedUpload:
    limit = settings.BETTERWORK["EVIDENCE_MAX_BYTES"]
    if upload.size > limit:
        raise ApplicationError(
            _("“%(name)s” is %(size)s MB; a file may be at most %(limit)s MB.")
            % {"name": upload.name, "size": round(upload.size / 1_048_576, 1), "limit": limit // 1_048_576},
            field=field,
        )
    head = upload.read(8)
    upload.seek(0)
    kind = next((kind for magic, kind in ACCEPTED.items() if head.startswith(magic)), None)
    if kind is None:
        raise ApplicationError(
            _("“%(name)s” is not a JPEG or PNG photo or a PDF document.") % {"name": upload.name}, field=field
        )
    content_type, extension = kind
    data = upload.read() if content_type == "application/pdf" else _reencoded(upload, content_type, field=field)
    return CheckedUpload(ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"), upload.name[:200], content_type)


def _reencoded(upload: UploadedFile, content_type: str, *, field: str) -> bytes:
    """The same picture, upright, without EXIF (location, camera, owner) or other metadata."""
    try:
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if content_type == "image/jpeg":
                image.convert("RGB").save(out, format="JPEG", quality=90)
            else:
                image.save(out, format="PNG")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise ApplicationError(
            _("“%(name)s” could not be read as a picture.") % {"name": upload.name}, field=field
        ) from error
    return out.getvalue()
