"""Encrypted evidence blobs. The row holds the blob's data key wrapped by a master key; the file holds
only ciphertext. Haven never serves a blob raw."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Blob(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32)
    sha1 = models.CharField(max_length=40)
    key_id = models.CharField(max_length=16, db_index=True)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Every upload of this content moves it on: the sweep leaves alone a blob stored again lately, whose
    # upload may be about to refer to it.
    stored_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"blob {self.sha256[:12]}"
