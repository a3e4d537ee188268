"""A content-addressed, encrypted blob store (AES-256-GCM with envelope keys).

Each blob gets its own random data key. The file holds ``nonce || ciphertext || tag`` and nothing else;
the data key is stored in the database, wrapped by the current master key with the blob's SHA-256 as
associated data, so a wrapped key cannot be moved to another blob. Plaintext only ever lives in memory:
``BlobWriter`` encrypts each chunk as it arrives and hashes it at the same time, and ``read`` decrypts in
memory, checks the GCM tag and the SHA-256 against the blob's name, and refuses a blob that fails either.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from haven.evidence import keys
from haven.evidence.models import Blob

NONCE = 12
TAG = 16
FILE_AAD = b"haven-evidence-blob-v1"


class EvidenceError(Exception):
    """A blob that cannot be stored or read; the message says why."""


class TooLargeError(EvidenceError):
    pass


def path_of(sha256: str) -> Path:
    return Path(settings.EVIDENCE_DIR) / sha256[:2] / sha256[2:4] / f"{sha256}.blob"


def _wrap_aad(sha256: str) -> bytes:
    return f"haven-evidence-key-v1:{sha256}".encode()


def wrap(data_key: bytes, sha256: str, master: keys.MasterKey) -> bytes:
    nonce = secrets.token_bytes(NONCE)
    return nonce + AESGCM(master.secret).encrypt(nonce, data_key, _wrap_aad(sha256))


def unwrap(blob: Blob) -> bytes:
    master = keys.by_id(blob.key_id)
    wrapped = bytes(blob.wrapped_key)
    try:
        return AESGCM(master.secret).decrypt(wrapped[:NONCE], wrapped[NONCE:], _wrap_aad(blob.sha256))
    except InvalidTag:
        raise EvidenceError(f"blob {blob.sha256}: its key failed the integrity check") from None


@dataclass(frozen=True)
class Stored:
    blob: Blob
    created: bool


class BlobWriter:
    """Write one blob in chunks: encrypted and hashed as it streams, never written in plaintext."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._key = AESGCM.generate_key(bit_length=256)
        self._nonce = secrets.token_bytes(NONCE)
        self._encryptor = Cipher(algorithms.AES(self._key), modes.GCM(self._nonce)).encryptor()
        self._encryptor.authenticate_additional_data(FILE_AAD)
        self._hashes = {name: hashlib.new(name) for name in ("md5", "sha1", "sha256")}
        folder = Path(settings.EVIDENCE_DIR) / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, suffix=".part")
        self._file = os.fdopen(handle, "wb")
        self._temp = Path(name)
        self._file.write(self._nonce)

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.discard()
            raise TooLargeError(f"larger than the {self.max_bytes:,}-byte limit")
        for h in self._hashes.values():
            h.update(chunk)
        self._file.write(self._encryptor.update(chunk))

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self._temp.unlink(missing_ok=True)

    def finish(self) -> Stored:
        """Seal the file and file it under its SHA-256. The same content again keeps the stored blob."""
        self._file.write(self._encryptor.finalize() + self._encryptor.tag)
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        digests = {name: h.hexdigest() for name, h in self._hashes.items()}
        sha256 = digests["sha256"]
        final = path_of(sha256)
        master = keys.current()
        try:
            with transaction.atomic():
                existing = Blob.objects.select_for_update().filter(sha256=sha256).first()
                if existing is not None and final.exists():
                    self._temp.unlink(missing_ok=True)
                    existing.stored_at = timezone.now()
                    existing.save(update_fields=["stored_at"])
                    return Stored(existing, created=False)
                blob = existing or Blob(
                    sha256=sha256, size=self.size, md5=digests["md5"], sha1=digests["sha1"]
                )
                blob.key_id, blob.wrapped_key = master.id, wrap(self._key, sha256, master)
                blob.save()
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self._temp, final)  # the file matches the row's key from this moment
                return Stored(blob, created=existing is None)
        except IntegrityError:
            # Another writer stored the same content first; its row and file stand.
            self._temp.unlink(missing_ok=True)
            return Stored(Blob.objects.get(sha256=sha256), created=False)
        finally:
            self._temp.unlink(missing_ok=True)


def put(data: bytes, *, max_bytes: int | None = None) -> Stored:
    writer = BlobWriter(max_bytes if max_bytes is not None else settings.EVIDENCE_MAX_BYTES)
    for start in range(0, len(data), 1 << 20):
        writer.write(data[start : start + (1 << 20)])
    return writer.finish()


def read(sha256: str) -> bytes:
    """The blob's bytes, in memory, after checking its tag and its SHA-256."""
    blob = Blob.objects.filter(sha256=sha256).first()
    if blob is None:
        raise EvidenceError(f"no blob {sha256}")
    try:
        sealed = path_of(sha256).read_bytes()
    except OSError as exc:
        raise EvidenceError(f"blob {sha256}: cannot read its file: {exc.strerror}") from None
    nonce, body, tag = sealed[:NONCE], sealed[NONCE:-TAG], sealed[-TAG:]
    decryptor = Cipher(algorithms.AES(unwrap(blob)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(FILE_AAD)
    try:
        data = decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise EvidenceError(f"blob {sha256}: failed its integrity check") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EvidenceError(f"blob {sha256}: its content does not match its name")
    return data


def rotate(batch: int = 500) -> int:
    """Re-wrap every data key held under another master key with the current one. Files are untouched."""
    master = keys.current()
    done = 0
    while True:
        with transaction.atomic():
            blobs = list(Blob.objects.select_for_update().exclude(key_id=master.id)[:batch])
            for blob in blobs:
                blob.wrapped_key = wrap(unwrap(blob), blob.sha256, master)
                blob.key_id = master.id
                blob.save(update_fields=["wrapped_key", "key_id"])
        done += len(blobs)
        if len(blobs) < batch:
            return done
