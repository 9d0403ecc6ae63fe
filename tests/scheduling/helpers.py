"""Sample files for upload tests, built in memory."""
from __future__ import annotations

import io
import zipfile

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A real 1 x 1 PNG: speaker photos are checked with Pillow (files.check_image).
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
             b"\x00\x00\x00\nIDATx\xdac`\x00\x00\x00\x02\x00\x01\xe5'\xde\xfc\x00\x00\x00\x00IEND\xaeB`\x82")


def ooxml(folder: str, main_type: str) -> bytes:
    """A minimal Office Open XML package with its [Content_Types].xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         f'content-types"><Override PartName="/{folder}main.xml" ContentType="application/'
                         f'vnd.openxmlformats-officedocument.{main_type}"/></Types>')
        archive.writestr(f"{folder}main.xml", "<x/>")
    return buffer.getvalue()


DOCX_BYTES = ooxml("word/", "wordprocessingml.document.main+xml")
PPTX_BYTES = ooxml("ppt/", "presentationml.presentation.main+xml")
XLSX_BYTES = ooxml("xl/", "spreadsheetml.sheet.main+xml")


def plain_zip() -> bytes:
    """A ZIP archive that is not an Office document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()
