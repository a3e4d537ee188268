"""HTML to PDF through WeasyPrint, as every printed document of Haven's is made: fonts from the system
(Debian's fonts-liberation), and nothing fetched, whatever the HTML names."""

from __future__ import annotations

from PIL import ImageFile


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415  (loads Pango: only when a PDF is asked for)
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    # Importing WeasyPrint tells Pillow, for the whole process, to load truncated images; the hash bank
    # must see a truncated file as corrupt. Haven's documents embed no images, so WeasyPrint never needs it.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    refuse_all = URLFetcher(allowed_protocols=set(), fail_on_errors=True)
    return bytes(HTML(string=html, url_fetcher=refuse_all).write_pdf())
