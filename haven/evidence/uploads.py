"""An upload handler that streams the one uploaded file straight into the evidence store, encrypted and
hashed as it arrives, so that no plaintext temporary file is ever written."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile

from haven.core.uploads import OnePartHandler
from haven.evidence.store import BlobWriter, Stored


class StoredUpload(UploadedFile):
    """What the handler puts in ``request.FILES``: the stored blob, not the bytes."""

    def __init__(self, stored: Stored, name: str, size: int) -> None:
        super().__init__(file=None, name=name, size=size)
        self.stored = stored


class EvidenceUploadHandler(OnePartHandler):
    def __init__(self, request: Any, max_bytes: int) -> None:
        super().__init__(request, max_bytes)
        self.writer: BlobWriter | None = None

    def start(self) -> None:
        # The store's own limit is higher than any upload reaches: this handler stops at max_bytes first.
        self.writer = BlobWriter(self.max_bytes + 1)

    def write(self, chunk: bytes) -> None:
        assert self.writer is not None
        self.writer.write(chunk)

    def abandon(self) -> None:
        if self.writer is not None:
            self.writer.discard()
            self.writer = None

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self.writer is None:
            return None
        stored = self.writer.finish()
        self.writer = None
        return StoredUpload(stored, self.file_name or "upload", file_size)
