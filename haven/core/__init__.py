"""Shared building blocks below every domain app: permission tags and request helpers."""
