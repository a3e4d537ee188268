"""An upload handler that streams each uploaded file straight into the evidence store, encrypted and hashed
as it arrives, so that no plaintext temporary file is ever written."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from haven.evidence.store import BlobWriter, Stored, TooLargeError


class StoredUpload(UploadedFile):
    """What the handler puts in ``request.FILES``: the stored blob, not the bytes."""

    def __init__(self, stored: Stored, name: str, size: int) -> None:
        super().__init__(file=None, name=name, size=size)
        self.stored = stored


class EvidenceUploadHandler(FileUploadHandler):
    """Stores the one file part named ``field``; any other file part is skipped unread and counted in
    ``skipped``, so a request cannot leave blobs that nothing refers to."""

    def __init__(self, request: Any, max_bytes: int, field: str = "file") -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.field = field
        self.writer: BlobWriter | None = None
        self.too_large = False
        self.received = 0
        self.skipped: list[str] = []

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name != self.field or self.received:
            self.skipped.append(field_name)
            raise SkipFile()
        self.received += 1
        self.writer = BlobWriter(self.max_bytes)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.writer is not None
        try:
            self.writer.write(raw_data)
        except TooLargeError:
            self.too_large = True
            raise StopUpload(connection_reset=False) from None

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self.writer is None:
            return None
        stored = self.writer.finish()
        self.writer = None
        return StoredUpload(stored, self.file_name or "upload", file_size)

    def upload_interrupted(self) -> None:
        if self.writer is not None:
            self.writer.discard()
            self.writer = None
