"""Taking one file from a multipart request: the part named ``file``, within a size limit, and nothing else.

A subclass says where the bytes go as they arrive (memory, or the encrypted evidence store). Any other file
part is skipped unread, so a request cannot leave behind files that nothing refers to, and a file past the
limit stops the upload at once, so a large body costs no more than the limit.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja.errors import HttpError

FIELD = "file"


class OnePartHandler(FileUploadHandler):
    def __init__(self, request: Any, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large = False
        self.received = 0
        self.size = 0
        self.skipped: list[str] = []

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name != FIELD or self.received:
            self.skipped.append(field_name)
            raise SkipFile()
        self.received += 1
        self.start()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.size > self.max_bytes:
            self.too_large = True
            self.abandon()
            raise StopUpload(connection_reset=False)
        self.write(raw_data)

    def upload_interrupted(self) -> None:
        self.abandon()

    # Where the bytes go: a subclass's part.
    def start(self) -> None:
        raise NotImplementedError

    def write(self, chunk: bytes) -> None:
        raise NotImplementedError

    def abandon(self) -> None:
        raise NotImplementedError


class InMemory(OnePartHandler):
    def start(self) -> None:
        self.buffer: io.BytesIO | None = io.BytesIO()

    def write(self, chunk: bytes) -> None:
        assert self.buffer is not None
        self.buffer.write(chunk)

    def abandon(self) -> None:
        self.buffer = None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.buffer is None:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, FIELD, self.file_name or "upload", self.content_type, file_size, self.charset
        )


def take_one_file(request: HttpRequest, handler: OnePartHandler) -> UploadedFile:
    """The request's one file part, read through ``handler``; an HttpError naming the problem otherwise."""
    request.upload_handlers = [handler]
    try:
        upload = request.FILES.get(FIELD)
    except MultiPartParserError as exc:
        raise HttpError(400, f"{FIELD}: not a readable multipart body ({exc})") from None
    if handler.too_large:
        raise HttpError(413, f"{FIELD}: larger than the {handler.max_bytes:,}-byte limit")
    if handler.skipped:
        parts = ", ".join(handler.skipped)
        raise HttpError(
            400, f"{FIELD}: send one file part, named `{FIELD}`, per request (also sent: {parts})"
        )
    if not isinstance(upload, UploadedFile):
        raise HttpError(400, f"{FIELD}: send the file as multipart/form-data field `{FIELD}`")
    return upload


# The request body of an operation that takes one file, for its OpenAPI document.
ONE_FILE = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {FIELD: {"type": "string", "format": "binary"}},
                    "required": [FIELD],
                }
            }
        },
    }
}
