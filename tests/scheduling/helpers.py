"""Sample files for upload tests, built in memory."""
from __future__ import annotations

import io
import zipfile

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


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
