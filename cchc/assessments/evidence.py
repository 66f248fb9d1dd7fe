"""Evidence files: what may be uploaded, how it is registered and how it is served.

* ``check_upload(file)`` decides by the content (magic bytes, the parts of an Office zip),
  never by the name or the browser's claim: PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx)
  only, within ``settings.CCHC_EVIDENCE_MAX_BYTES``, with an extension that matches what
  the file really is. It streams the file once to hash it and never extracts a zip.
* ``register_evidence(...)`` checks the permission through the access layer, refuses the
  same file twice in one unit's register and stores the row and the file together: when
  anything fails, neither is left behind.
* ``evidence_response(evidence)`` serves a download that a browser can neither render
  nor sniff: an attachment with the detected type, ``nosniff`` and a sandboxing CSP.

Every refusal is an ``EvidenceError`` whose message (in the user's language) says what is
wrong and where; ``field`` names the form field it belongs to.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core import access
from cchc.orgs.models import OrgUnit, UnitType

from .models import Citation, Entry, Evidence
from .policies import ENTERING_ROLES
from .services import AssessmentError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024

# Zip bomb guard: an Office file of a few MB has tens to a few hundred parts.
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_EXPANDED = 256 * 1024 * 1024  # the parts' declared sizes, all together
MAX_ZIP_RATIO = 200  # expanded / compressed, for parts above RATIO_FROM bytes
RATIO_FROM = 4 * 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024

WORD_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


class EvidenceError(AssessmentError):
    """A document that cannot be registered; ``field`` is the form field the message belongs to."""

    field: str | None = None

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        if field is not None:
            self.field = field


class EvidenceFileError(EvidenceError):
    """The uploaded file is refused: too large, of a type not accepted, or misnamed."""

    field = "file"


class DuplicateEvidence(EvidenceFileError):
    """The same file (same SHA-256) is already in the unit's register: ``existing``."""

    def __init__(self, existing: Evidence):
        self.existing = existing
        super().__init__(
            _("This file is already in the register of %(unit)s: %(document)s, registered on %(day)s.")
            % {
                "unit": existing.owner.name,
                "document": _describe(existing),
                "day": timezone.localtime(existing.created_at).strftime("%d/%m/%Y"),
            }
        )


@dataclass(frozen=True)
class Kind:
    """A kind of file recognised by its content."""

    key: str
    label: object  # lazy translation: "a PDF document"
    content_type: str = ""
    extensions: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return bool(self.content_type)


ACCEPTED = {
    "pdf": Kind("pdf", gettext_lazy("a PDF document"), "application/pdf", (".pdf",)),
    "png": Kind("png", gettext_lazy("a PNG image"), "image/png", (".png",)),
    "jpeg": Kind("jpeg", gettext_lazy("a JPEG image"), "image/jpeg", (".jpg", ".jpeg")),
    "docx": Kind(
        "docx", gettext_lazy("a Word document (.docx)"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
    ),
    "xlsx": Kind(
        "xlsx", gettext_lazy("an Excel workbook (.xlsx)"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",),
    ),
}
REFUSED = {
    "html": Kind("html", gettext_lazy("a web page (HTML)")),
    "svg": Kind("svg", gettext_lazy("an SVG drawing or an XML file")),
    "zip": Kind("zip", gettext_lazy("a plain ZIP archive, not a Word or Excel document")),
    "docm": Kind("docm", gettext_lazy("a Word file with macros or a Word template")),
    "xlsm": Kind("xlsm", gettext_lazy("an Excel file with macros or an Excel template")),
    "office": Kind("office", gettext_lazy("an Office file of another kind (e.g. PowerPoint)")),
    "ole": Kind("ole", gettext_lazy("an old Office 97–2003 file (.doc, .xls)")),
    "gif": Kind("gif", gettext_lazy("a GIF image")),
    "program": Kind("program", gettext_lazy("a program (executable file)")),
    "archive": Kind("archive", gettext_lazy("a compressed archive (RAR, 7z, gzip)")),
    "rtf": Kind("rtf", gettext_lazy("an RTF document")),
    "text": Kind("text", gettext_lazy("a plain text file")),
    "unknown": Kind("unknown", gettext_lazy("a file of an unknown type")),
}
KINDS = {**ACCEPTED, **REFUSED}
EXTENSIONS = {ext: kind.key for kind in ACCEPTED.values() for ext in kind.extensions}
SAFE_CONTENT_TYPES = {kind.content_type for kind in ACCEPTED.values()}
ACCEPT_ATTRIBUTE = ",".join(EXTENSIONS)  # for <input type="file" accept="...">


def kind_label(content_type: str) -> str:
    """What a stored content type is, in words: "a PDF document"."""
    for kind in ACCEPTED.values():
        if kind.content_type == content_type:
            return str(kind.label)
    return content_type


def max_bytes() -> int:
    return getattr(settings, "CCHC_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def _mb(size: int) -> str:
    value = size / (1024 * 1024)
    places = 0 if value >= 10 and value == int(value) else 1 if value >= 1 else 3
    return formats.number_format(round(value, places), places)


def accepted_help() -> str:
    return _("PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx), up to %(limit)s MB.") % {"limit": _mb(max_bytes())}


def _describe(evidence: Evidence) -> str:
    number = f"{evidence.number} " if evidence.number else ""
    return f"{number}“{evidence.title}”"


# --- recognising a file by its content ---------------------------------------------------


def clean_name(name) -> str:
    """The name as shown and offered on download: no folders, no control characters, NFC, ≤ 255."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    if not text:
        return "file"
    stem, ext = os.path.splitext(text)
    if len(text) > 255:
        ext = ext[:20]
        text = stem[: 255 - len(ext)] + ext
    return text


def _zip_member_count(f, size: int) -> int | None:
    """The number of parts from the zip's end record, read before parsing the directory."""
    tail_length = min(size, 22 + 0xFFFF)
    f.seek(size - tail_length)
    tail = f.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    total, directory_size, directory_offset = struct.unpack("<HLL", tail[at + 10 : at + 20])
    if total != 0xFFFF and directory_size != 0xFFFFFFFF and directory_offset != 0xFFFFFFFF:
        return total
    locator = at - 20  # zip64: the count is in the zip64 end record
    if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
        return None
    (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
    f.seek(offset)
    record = f.read(56)
    if len(record) < 56 or record[:4] != b"PK\x06\x06":
        return None
    return struct.unpack("<Q", record[32:40])[0]


def _office_kind(f, size: int, name: str) -> str:
    """docx, xlsx, or what else a zip is; refuses archives that would expand absurdly."""
    bomb = EvidenceFileError(
        _("“%(name)s” is a compressed file with too many parts or that grows too large when opened; it was refused for safety.")
        % {"name": name}
    )
    damaged = EvidenceFileError(
        _("“%(name)s” looks like a Word or Excel file but is damaged: it cannot be opened as a ZIP archive.") % {"name": name}
    )
    count = _zip_member_count(f, size)
    if count is None:
        raise damaged
    if count > MAX_ZIP_MEMBERS:
        raise bomb
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_ZIP_EXPANDED:
                raise bomb
            for info in infos:
                if info.file_size > RATIO_FROM and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
                    raise bomb
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names:
                return "zip"
            with archive.open("[Content_Types].xml") as part:
                types = part.read(MAX_CONTENT_TYPES_BYTES + 1)
            if len(types) > MAX_CONTENT_TYPES_BYTES:
                raise bomb
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError, zlib.error):
        raise damaged from None
    finally:
        f.seek(0)
    if "word/document.xml" in names:
        return "docx" if WORD_MAIN in types else "docm"
    if "xl/workbook.xml" in names:
        return "xlsx" if EXCEL_MAIN in types else "xlsm"
    return "office"


def _kind_of_head(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh")):
        return "archive"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")):
        return "program"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").replace(b"\x00", b"").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<meta")) or b"<html" in text[:1024]:
        return "html"
    if text.startswith((b"<?xml", b"<svg", b"<!doctype svg")):
        return "html" if b"<html" in text else "svg"
    try:
        # The head may end in the middle of a character: only complete ones are judged.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "unknown"
    return "text" if b"\x00" not in head else "unknown"


def _sniff(f, size: int, name: str) -> str:
    f.seek(0)
    head = f.read(2048)
    f.seek(0)
    key = _kind_of_head(head)
    if key == "zip":
        key = _office_kind(f, size, name)
    return key


def check_upload(uploaded_file) -> tuple[str, str, int]:
    """(content type, SHA-256, size) of an acceptable file; ``EvidenceFileError`` says why not."""
    name = clean_name(getattr(uploaded_file, "name", ""))
    limit = max_bytes()
    declared = getattr(uploaded_file, "size", None)
    too_large = _("“%(name)s” is %(size)s MB; the largest file accepted is %(limit)s MB.")
    if declared is not None and declared > limit:
        raise EvidenceFileError(too_large % {"name": name, "size": _mb(declared), "limit": _mb(limit)})

    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded_file.chunks(CHUNK):
        size += len(chunk)
        if size > limit:
            raise EvidenceFileError(too_large % {"name": name, "size": _mb(max(size, declared or 0)), "limit": _mb(limit)})
        digest.update(chunk)
    if size == 0:
        raise EvidenceFileError(_("“%(name)s” is empty.") % {"name": name})

    kind = KINDS[_sniff(uploaded_file, size, name)]
    if not kind.accepted:
        raise EvidenceFileError(
            _("“%(name)s” is %(what)s: only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files are accepted.")
            % {"name": name, "what": kind.label}
        )
    ext = os.path.splitext(name)[1].lower()
    claimed = EXTENSIONS.get(ext)
    if claimed is None:
        raise EvidenceFileError(
            _("“%(name)s” is %(what)s but its name does not end in %(extensions)s; rename it and upload it again.")
            % {"name": name, "what": kind.label, "extensions": ", ".join(kind.extensions)}
        )
    if claimed != kind.key:
        raise EvidenceFileError(
            _("“%(name)s” is named as %(claimed)s but is really %(what)s; upload the right file or correct its extension.")
            % {"name": name, "claimed": KINDS[claimed].label, "what": kind.label}
        )
    uploaded_file.seek(0)
    return kind.content_type, digest.hexdigest(), size


# --- the register ------------------------------------------------------------------------


def upload_units(subject):
    """The current units in whose register the principal may add documents (access layer decides)."""
    principal = access.principal_of(subject)
    if not principal.is_authenticated or principal.is_read_only:
        return OrgUnit.objects.none()
    candidates = OrgUnit.objects.current().exclude(type=UnitType.EXTERNAL)
    if not principal.manages:
        from cchc.orgs.tree import descendant_ids

        # Only narrows the candidates: the decision is the policy's, below.
        own = principal.unit_ids_with_role(*ENTERING_ROLES)
        candidates = candidates.filter(pk__in=own | descendant_ids(own))
    allowed = [unit.pk for unit in candidates.only("pk") if access.can(principal, "change", Evidence(owner_id=unit.pk))]
    return OrgUnit.objects.filter(pk__in=allowed).order_by("type", "sort_order", "name")


def filter_register(queryset, *, unit_code: str = "", text: str = ""):
    """Narrow an (already scoped) register by unit code and by words of the number, title, issuer or file name."""
    if unit_code:
        queryset = queryset.filter(owner__code=unit_code)
    text = (text or "").strip()
    if text:
        queryset = queryset.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(issuer__icontains=text)
            | Q(original_name__icontains=text) | Q(sha256=text.lower())
        )
    return queryset


def visible_citations(subject, evidence: Evidence):
    """The citations of ``evidence`` in entries the principal may see."""
    entries = access.scoped(subject, Entry.objects.all())
    return (
        Citation.objects.filter(evidence=evidence, entry__in=entries)
        .select_related("entry__criterion", "entry__submission__subject", "entry__submission__round__cycle")
        .order_by("-entry__submission__round__cycle__year", "entry__submission__round__month", "entry__criterion__position")
    )


def _validate(evidence: Evidence) -> None:
    if not evidence.title:
        raise EvidenceError(_("Enter the title of the document."), field="title")
    if evidence.issued_on and evidence.issued_on > timezone.localdate():
        raise EvidenceError(_("The date issued cannot be in the future."), field="issued_on")
    try:
        evidence.full_clean(exclude=["file", "owner", "created_by"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise EvidenceError(" ".join(messages), field=None if field == "__all__" else field) from None


def register_evidence(owner_unit, user, *, number, issued_on, issuer, title, uploaded_file=None) -> Evidence:
    """Enter a document in ``owner_unit``'s register, with its file if given; all or nothing."""
    if not access.can(user, "change", Evidence(owner=owner_unit)):
        raise PermissionDenied
    evidence = Evidence(
        owner=owner_unit,
        number=(number or "").strip(),
        issued_on=issued_on or None,
        issuer=(issuer or "").strip(),
        title=(title or "").strip(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    _validate(evidence)
    checked = check_upload(uploaded_file) if uploaded_file is not None else None  # before any lock is taken
    stored: list[str] = []
    try:
        with transaction.atomic():
            if checked is not None:
                content_type, sha256, size = checked
                # One registration at a time per unit, so the same file cannot slip in twice.
                list(OrgUnit.objects.select_for_update().filter(pk=owner_unit.pk).values_list("pk", flat=True))
                existing = Evidence.objects.select_related("owner").filter(owner=owner_unit, sha256=sha256).first()
                if existing is not None:
                    raise DuplicateEvidence(existing)
                evidence.original_name = clean_name(uploaded_file.name)
                evidence.content_type, evidence.sha256, evidence.size = content_type, sha256, size
                uploaded_file.seek(0)
                evidence.file.save(evidence.original_name, uploaded_file, save=False)
                stored.append(evidence.file.name)
            evidence.save()
    except BaseException:
        for name in stored:
            evidence.file.storage.delete(name)
        raise
    return evidence


# --- downloads ---------------------------------------------------------------------------


def ascii_name(name: str) -> str:
    """A plain-ASCII fallback of a file name for old clients: accents dropped, đ → d."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if (ch.isascii() and (ch.isalnum() or ch in " ._-()")) else "_" for ch in text).strip(" .")
    return text or "file"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII name and the exact UTF-8 name (RFC 6266 / RFC 5987)."""
    return f"attachment; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def evidence_response(evidence: Evidence) -> FileResponse:
    """The document as a download that no browser renders or sniffs as a page."""
    if not evidence.file:
        raise Http404
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = evidence.content_type if evidence.content_type in SAFE_CONTENT_TYPES else "application/octet-stream"
    name = clean_name(evidence.original_name or evidence.title)
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=name)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
