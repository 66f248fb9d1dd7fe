"""The evidence register: what may be uploaded, who sees what, and how files are served.

Files are recognised by their content, never by their name: a PNG named .pdf, a web page
named .docx or a plain zip named .docx is refused with a message in Vietnamese that names
the file and says what it really is, and nothing is stored (no row, no file on disk).
Unit A is Sở Y tế (officer ``yte``), unit B is Sở Xây dựng (officer ``xaydung``): A must
not learn that B's documents exist; a viewer reads every register and adds to none.
"""

from __future__ import annotations

import hashlib
import io
import struct
import uuid
import zipfile
import zlib
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from cchc.accounts.models import User
from cchc.assessments import evidence as service
from cchc.assessments.models import Evidence

pytestmark = pytest.mark.django_db

OK, REDIRECT, FORBIDDEN, HIDDEN = 200, 302, 403, 404
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- small real files ---------------------------------------------------------------------


def pdf_bytes(text: str = "214/KH-UBND") -> bytes:
    """A valid one-page PDF with a cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("ascii")
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes() -> bytes:
    """A valid 1×1 red PNG."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


# A 1×1 JPEG (JFIF).
JPEG_BYTES = bytes.fromhex(
    "ffd8ffe000104a46494600010101004800480000ffdb004300030202020203020202030303030406040404040408060605"
    "0609080a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f101010ffc9000b080001000101"
    "011100ffcc000600101005ffda0008010100003f00d2cf20ffd9"
)


def docx_bytes(text: str = "Kế hoạch cải cách hành chính năm 2025") -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Tiêu chí", "Điểm"])
    workbook.active.append(["1.1", 1])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


HTML_BYTES = b"<!DOCTYPE html>\n<html><body><script>fetch('/accounts/')</script></body></html>\n"


def upload(name: str, data: bytes, claimed: str = "application/pdf") -> SimpleUploadedFile:
    """The browser's content type is whatever the sender says: it is never trusted."""
    return SimpleUploadedFile(name, data, content_type=claimed)


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def user(username: str) -> User:
    return User.objects.get(username=username)


def register(unit, username: str, name: str, data: bytes, **fields) -> Evidence:
    values = {"number": "214/KH-UBND", "issued_on": None, "issuer": "UBND tỉnh", "title": "Kế hoạch CCHC năm 2025"}
    values.update(fields)
    return service.register_evidence(unit, user(username), uploaded_file=upload(name, data), **values)


def post_new(client, unit, name: str, data: bytes, **fields):
    form = {
        "unit": unit.code,
        "number": "214/KH-UBND",
        "issued_on": "2025-03-01",
        "issuer": "UBND tỉnh Tuyên Quang",
        "title": "Kế hoạch cải cách hành chính năm 2025",
        "file": upload(name, data),
    }
    form.update(fields)
    return client.post(reverse("assessments:evidence_new"), form)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- files refused: fake extensions, too large, zip bombs -----------------------------------

FAKES = [
    pytest.param("bao-cao.pdf", png_bytes(), "“bao-cao.pdf” được đặt tên như tài liệu PDF nhưng thực chất là ảnh PNG", id="png-named-pdf"),
    pytest.param("ke-hoach.docx", HTML_BYTES, "“ke-hoach.docx” là trang web (HTML): chỉ chấp nhận tệp PDF", id="html-named-docx"),
    pytest.param(
        "quyet-dinh.docx", zip_bytes({"a.txt": b"not a document"}),
        "“quyet-dinh.docx” là tệp nén ZIP thông thường, không phải văn bản Word", id="zip-named-docx",
    ),
    pytest.param(
        "bang-diem.docx", xlsx_bytes(),
        "“bang-diem.docx” được đặt tên như văn bản Word (.docx) nhưng thực chất là bảng tính Excel (.xlsx)", id="xlsx-named-docx",
    ),
    pytest.param("anh.png", pdf_bytes(), "“anh.png” được đặt tên như ảnh PNG nhưng thực chất là tài liệu PDF", id="pdf-named-png"),
    pytest.param("ghi-chu.txt", b"plain words\n", "“ghi-chu.txt” là tệp văn bản thuần", id="text"),
    pytest.param("baocao", pdf_bytes(), "“baocao” là tài liệu PDF nhưng tên tệp không có đuôi .pdf", id="no-extension"),
]


@pytest.mark.parametrize(("name", "data", "message"), FAKES)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_and_nothing_is_stored(demo, login, media, name, data, message):
    before = Evidence.objects.count()
    response = post_new(login("yte"), demo["unit_a"], name, data)
    assert response.status_code == OK
    html = response.content.decode()
    assert message in html
    assert 'class="invalid-feedback d-block"' in html  # shown next to the file field
    assert Evidence.objects.count() == before
    assert stored_files(media) == []


@pytest.mark.parametrize(("name", "data", "message"), FAKES)
def test_check_upload_refuses_the_same_fakes_in_vietnamese(name, data, message):
    with translation.override("vi"), pytest.raises(service.EvidenceFileError) as refused:
        service.check_upload(upload(name, data))
    assert message in str(refused.value)
    assert refused.value.field == "file"


def test_a_word_file_with_macros_renamed_docx_is_refused(media, demo):
    real = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    members = {info.filename: real.read(info) for info in real.infolist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    with translation.override("vi"), pytest.raises(service.EvidenceFileError, match="tệp Word có macro"):
        register(demo["unit_a"], "yte", "macro.docx", zip_bytes(members))
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_with_the_limit_in_mb_and_nothing_is_stored(demo, login, media, settings):
    settings.CCHC_EVIDENCE_MAX_BYTES = 4 * 1024
    data = pdf_bytes() + b"%" + b"x" * 5000 + b"\n"
    before = Evidence.objects.count()
    response = post_new(login("yte"), demo["unit_a"], "lon.pdf", data)
    html = response.content.decode()
    assert "“lon.pdf” có dung lượng" in html
    assert "dung lượng tối đa được chấp nhận là 0,004 MB" in html
    assert Evidence.objects.count() == before
    assert stored_files(media) == []


def test_the_size_is_counted_while_streaming_not_taken_from_the_claim(settings):
    settings.CCHC_EVIDENCE_MAX_BYTES = 4 * 1024
    lying = upload("lon.pdf", pdf_bytes() + b"x" * 8000)
    lying.size = 10  # what a client or a wrapper may claim
    with pytest.raises(service.EvidenceFileError, match="MB"):
        service.check_upload(lying)


def test_an_empty_file_is_refused():
    with translation.override("vi"), pytest.raises(service.EvidenceFileError, match="“rong.pdf” là tệp rỗng"):
        service.check_upload(upload("rong.pdf", b""))


def test_zip_bombs_are_refused_without_extracting(media, demo):
    many = zip_bytes({"[Content_Types].xml": b"<Types/>", **{f"word/p{i}.xml": b"" for i in range(service.MAX_ZIP_MEMBERS + 1)}})
    swollen = io.BytesIO()
    with zipfile.ZipFile(swollen, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"\0" * (service.RATIO_FROM + 1024 * 1024))
    for data in (many, swollen.getvalue()):
        with translation.override("vi"), pytest.raises(service.EvidenceFileError, match="bị từ chối để bảo đảm an toàn"):
            register(demo["unit_a"], "yte", "bom.docx", data)
    assert stored_files(media) == []


def test_a_damaged_office_file_is_refused():
    broken = docx_bytes()[:-200]  # the central directory is cut off
    with translation.override("vi"), pytest.raises(service.EvidenceFileError, match="bị hỏng"):
        service.check_upload(upload("hong.docx", broken))


# --- files accepted -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("Kế hoạch 214.pdf", pdf_bytes, PDF),
        ("anh-chup.PNG", png_bytes, PNG),
        ("scan.jpg", lambda: JPEG_BYTES, JPEG),
        ("Báo cáo CCHC quý I.docx", docx_bytes, DOCX),
        ("bang-diem.xlsx", xlsx_bytes, XLSX),
    ],
)
def test_real_files_are_accepted_with_their_checksum_size_and_detected_type(demo, login, media, name, make, content_type):
    data = make()
    response = post_new(login("yte"), demo["unit_a"], name, data)
    assert response.status_code == REDIRECT
    item = Evidence.objects.get(owner=demo["unit_a"], sha256=hashlib.sha256(data).hexdigest())
    assert response["Location"] == reverse("assessments:evidence_detail", args=[item.uuid])
    assert (item.size, item.content_type, item.original_name) == (len(data), content_type, name)
    assert item.number == "214/KH-UBND" and item.created_by == user("yte")
    on_disk = Path(item.file.path)
    assert on_disk.is_relative_to(media) and on_disk.read_bytes() == data
    assert on_disk.name == str(item.uuid)  # the stored name is not the uploaded one


def test_the_download_is_an_attachment_that_no_browser_renders(demo, login, media):
    data = pdf_bytes()
    item = register(demo["unit_a"], "yte", "Kế hoạch số 214 của Đảng ủy.pdf", data)
    response = login("yte").get(reverse("assessments:evidence_download", args=[item.uuid]))
    assert response.status_code == OK
    assert response["Content-Type"] == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Ke hoach so 214 cua Dang uy.pdf"' in disposition
    assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20s%E1%BB%91%20214%20c%E1%BB%A7a%20%C4%90%E1%BA%A3ng%20%E1%BB%A7y.pdf" in disposition
    assert body(response) == data


def test_a_stored_type_that_a_browser_would_render_is_served_as_plain_bytes(demo, login, media):
    item = register(demo["unit_a"], "yte", "a.pdf", pdf_bytes())
    Evidence.objects.filter(pk=item.pk).update(content_type="text/html")
    response = login("cchc").get(reverse("assessments:evidence_download", args=[item.uuid]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_document_without_a_file_is_registered_and_has_no_download(demo, login, media):
    item = service.register_evidence(
        demo["unit_a"], user("yte"), number="15/QĐ-SYT", issued_on=None, issuer="Sở Y tế", title="Quyết định giao nhiệm vụ"
    )
    assert (item.file.name, item.sha256, item.size) == ("", "", 0)
    assert login("yte").get(reverse("assessments:evidence_download", args=[item.uuid])).status_code == HIDDEN
    assert stored_files(media) == []


def test_nothing_is_left_on_disk_when_the_row_cannot_be_saved(demo, media):
    before = Evidence.objects.count()
    with mock.patch.object(Evidence, "save", side_effect=IntegrityError("boom")), pytest.raises(IntegrityError):
        register(demo["unit_a"], "yte", "a.pdf", pdf_bytes())
    assert Evidence.objects.count() == before
    assert stored_files(media) == []


# --- the same file twice ------------------------------------------------------------------


def test_the_same_file_twice_in_one_register_is_refused_and_points_to_the_first(demo, login, media):
    data = docx_bytes()
    first = register(demo["unit_a"], "yte", "ke-hoach.docx", data, number="214/KH-UBND", title="Kế hoạch CCHC năm 2025")
    response = post_new(login("yte"), demo["unit_a"], "ban-sao.docx", data, number="999/KH", title="Bản sao")
    html = response.content.decode()
    assert response.status_code == OK
    assert "Tệp này đã có trong sổ tài liệu của Sở Y tế: 214/KH-UBND “Kế hoạch CCHC năm 2025”" in html
    assert list(Evidence.objects.filter(sha256=first.sha256)) == [first]
    assert stored_files(media) == [Path(first.file.path)]
    with pytest.raises(service.DuplicateEvidence) as refused:
        register(demo["unit_a"], "cchc", "lan-ba.docx", data)
    assert refused.value.existing == first


def test_another_unit_may_register_the_same_file(demo, media):
    data = pdf_bytes()
    a = register(demo["unit_a"], "yte", "chung.pdf", data)
    b = register(demo["unit_b"], "xaydung", "chung.pdf", data)
    assert a.sha256 == b.sha256 and a.file.name != b.file.name


# --- who sees and adds what ----------------------------------------------------------------


@pytest.fixture
def b_document(demo, media):
    return register(demo["unit_b"], "xaydung", "xay-dung.pdf", pdf_bytes("B"), number="77/BC-SXD", title="Báo cáo riêng của Sở Xây dựng")


def test_an_officer_of_a_can_neither_read_download_nor_list_bs_documents(demo, login, b_document):
    client = login("yte")
    assert client.get(reverse("assessments:evidence_detail", args=[b_document.uuid])).status_code == HIDDEN
    assert client.get(reverse("assessments:evidence_download", args=[b_document.uuid])).status_code == HIDDEN
    assert client.get(reverse("assessments:evidence_detail", args=[uuid.uuid4()])).status_code == HIDDEN
    for query in ({}, {"unit": demo["unit_b"].code}, {"q": "Sở Xây dựng"}, {"q": b_document.sha256}):
        listing = client.get(reverse("assessments:evidence_list"), query)
        assert listing.status_code == OK
        assert "Báo cáo riêng của Sở Xây dựng" not in listing.content.decode()
        assert str(b_document.uuid) not in listing.content.decode()


def test_an_officer_of_a_cannot_add_to_bs_register(demo, login, media):
    before = Evidence.objects.count()
    response = post_new(login("yte"), demo["unit_b"], "a.pdf", pdf_bytes())
    assert response.status_code == OK and "invalid-feedback" in response.content.decode()
    assert Evidence.objects.count() == before
    with pytest.raises(PermissionDenied):
        register(demo["unit_b"], "yte", "a.pdf", pdf_bytes())
    assert stored_files(media) == []


def test_bs_officer_reads_and_downloads_bs_documents(login, b_document):
    client = login("xaydung")
    assert client.get(reverse("assessments:evidence_detail", args=[b_document.uuid])).status_code == OK
    assert body(client.get(reverse("assessments:evidence_download", args=[b_document.uuid]))) == pdf_bytes("B")
    assert "Báo cáo riêng của Sở Xây dựng" in client.get(reverse("assessments:evidence_list")).content.decode()


def test_a_viewer_reads_every_register_but_adds_to_none(demo, login, media, b_document):
    client = login("lanhdao")
    detail = client.get(reverse("assessments:evidence_detail", args=[b_document.uuid]))
    assert detail.status_code == OK and b_document.sha256 in detail.content.decode()
    assert client.get(reverse("assessments:evidence_download", args=[b_document.uuid])).status_code == OK
    assert "Báo cáo riêng của Sở Xây dựng" in client.get(reverse("assessments:evidence_list")).content.decode()
    assert client.get(reverse("assessments:evidence_new")).status_code == FORBIDDEN
    before = Evidence.objects.count()
    assert post_new(client, demo["unit_b"], "v.pdf", pdf_bytes("V")).status_code == FORBIDDEN
    assert Evidence.objects.count() == before
    assert stored_files(media) == [Path(b_document.file.path)]
    with pytest.raises(PermissionDenied):
        register(demo["unit_b"], "lanhdao", "v.pdf", pdf_bytes("V"))


def test_the_reform_office_reads_all_and_filters_by_unit_and_text(demo, login, media, b_document):
    a_document = register(demo["unit_a"], "yte", "y-te.pdf", pdf_bytes("A"), number="12/KH-SYT", title="Kế hoạch của Sở Y tế")
    client = login("cchc")
    page = client.get(reverse("assessments:evidence_list")).content.decode()
    assert "Báo cáo riêng của Sở Xây dựng" in page and "Kế hoạch của Sở Y tế" in page
    only_b = client.get(reverse("assessments:evidence_list"), {"unit": demo["unit_b"].code}).content.decode()
    assert "Báo cáo riêng của Sở Xây dựng" in only_b and "Kế hoạch của Sở Y tế" not in only_b
    by_number = client.get(reverse("assessments:evidence_list"), {"q": "12/KH-SYT"}).content.decode()
    assert "Kế hoạch của Sở Y tế" in by_number and "Báo cáo riêng của Sở Xây dựng" not in by_number
    for item in (a_document, b_document):
        assert client.get(reverse("assessments:evidence_detail", args=[item.uuid])).status_code == OK
        assert client.get(reverse("assessments:evidence_download", args=[item.uuid])).status_code == OK


def test_the_upload_form_offers_only_the_units_where_the_user_may_add(demo, login):
    form = login("yte").get(reverse("assessments:evidence_new")).content.decode()
    assert f'value="{demo["unit_a"].code}"' in form
    assert f'value="{demo["unit_b"].code}"' not in form
    reform_office = login("cchc").get(reverse("assessments:evidence_new")).content.decode()
    assert f'value="{demo["unit_a"].code}"' in reform_office and f'value="{demo["unit_b"].code}"' in reform_office


def test_the_detail_page_shows_the_metadata_checksum_and_citations(demo, login, media):
    item = register(demo["unit_a"], "yte", "Kế hoạch.pdf", pdf_bytes(), number="214/KH-UBND", title="Kế hoạch CCHC năm 2025")
    page = login("yte").get(reverse("assessments:evidence_detail", args=[item.uuid])).content.decode()
    for text in ("214/KH-UBND", "Kế hoạch CCHC năm 2025", "UBND tỉnh", item.sha256, "Kế hoạch.pdf", "tài liệu PDF", "Chưa có tiêu chí nào dẫn chứng"):
        assert text in page


def test_anonymous_visitors_are_sent_to_sign_in(login, b_document):
    for url in (
        reverse("assessments:evidence_list"),
        reverse("assessments:evidence_new"),
        reverse("assessments:evidence_detail", args=[b_document.uuid]),
        reverse("assessments:evidence_download", args=[b_document.uuid]),
    ):
        response = login(None).get(url)
        assert response.status_code == REDIRECT and "/accounts/login" in response["Location"]


def test_a_date_in_the_future_is_refused_next_to_the_date(demo, login, media):
    response = post_new(login("yte"), demo["unit_a"], "a.pdf", pdf_bytes(), issued_on="2999-01-01")
    assert "Ngày ban hành không được sau ngày hôm nay." in response.content.decode()
    assert stored_files(media) == []
