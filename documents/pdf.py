"""HTML + print CSS -> PDF bytes with WeasyPrint (ARCHITECTURE decision 5).

The print stylesheet is parsed and the fonts are loaded once per thread; resources may only come
from `data:` URIs or from the portal's own static folders (no network, no other file of the
machine). Fonts are the system's DejaVu Sans (installed in the Docker image too), set on `@page`
as well so that margin boxes (footer, page numbers) do not fall back to a serif font. WeasyPrint
is imported on first use: it parses its own stylesheets at import, which pages that render no
PDF need not pay for.
"""

import functools
import gc
import logging
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

PRINT_CSS = "documents/print.css"

# WeasyPrint logs each rendering step at INFO: keep warnings and errors only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@functools.cache
def _static_roots():
    return tuple(Path(p).resolve() for p in settings.STATICFILES_DIRS)


def static_path(name: str) -> Path:
    """Absolute path of a static file, for use in the HTML of a PDF (file:// URL)."""
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    return Path(found).resolve()


def static_uri(name: str) -> str:
    return static_path(name).as_uri()


def is_allowed_file(url: str) -> bool:
    path = Path(unquote(urlsplit(url).path)).resolve()
    return any(path.is_relative_to(root) for root in _static_roots())


@functools.cache
def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        """Serves `data:` URIs and files under the static folders; refuses everything else."""

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                if not is_allowed_file(url):
                    raise ValueError(f"Ressource refusée dans un PDF : {url}")
                path = Path(unquote(urlsplit(url).path))
                mime = {".svg": "image/svg+xml", ".css": "text/css"}.get(path.suffix)
                headers = {"Content-Type": mime} if mime else {}
                return URLFetcherResponse(url, body=path.read_bytes(), headers=headers)
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)


_local = threading.local()


def _fonts_and_stylesheet():
    """One font configuration (Pango font map, faces already loaded) and one parsed print
    stylesheet per thread, reused by every render: creating them costs ~30 ms a document."""
    if not hasattr(_local, "stylesheet"):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        _local.font_config = FontConfiguration()
        _local.stylesheet = weasyprint.CSS(
            filename=str(static_path(PRINT_CSS)),
            url_fetcher=_fetcher(),
            font_config=_local.font_config,
        )
    return _local.font_config, _local.stylesheet


def html_to_pdf(html: str) -> bytes:
    """Render one HTML document (UTF-8 string) to PDF bytes (a tagged PDF, for screen readers).

    The cyclic garbage collector is paused during the render: WeasyPrint allocates many short-
    lived objects, and a full collection in the middle of a render doubled its time now and then
    (p95 ~220 ms against a ~125 ms median); collection resumes right after.
    """
    import weasyprint

    font_config, stylesheet = _fonts_and_stylesheet()
    document = weasyprint.HTML(
        string=html, base_url=str(settings.BASE_DIR) + "/", url_fetcher=_fetcher()
    )
    collecting = gc.isenabled()
    gc.disable()
    try:
        return document.write_pdf(stylesheets=[stylesheet], font_config=font_config, pdf_tags=True)
    finally:
        if collecting:
            gc.enable()
