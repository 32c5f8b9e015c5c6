"""Static files as `make serve` sends them (musicbeats/staticfiles.py, issue 16): our CSS
and JS minified at collectstatic, hashed, compressed, and served with Brotli or gzip and a
far-future cache. Collected here into a temporary folder from our own static/ (and a
stand-in for a package's files), not the packages' hundreds: a few seconds, not a minute."""

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings

from musicbeats import settings as production_settings

OURS = Path(settings.BASE_DIR) / "static"
# The storage settings.py gives production (DEBUG off, as in the tests' environment;
# settings_test.py then swaps in a plain one for the rest of the suite).
PRODUCTION = production_settings.STORAGES["staticfiles"]
# A package's files: its own minified build, and a plain file that is not ours to minify.
VENDOR_MIN_JS = "/*! vendor v1 */\nwindow.vendor = function ( a ) { return a ; } ;\n"
VENDOR_PLAIN_JS = "// a package's file\nwindow.plain = function ( a ) {\n  return a;\n};\n"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with the production storage into a temporary STATIC_ROOT; yields it
    with those settings in force (the storage reads its manifest from there)."""
    vendor = tmp_path_factory.mktemp("vendor")
    (vendor / "vendor.min.js").write_text(VENDOR_MIN_JS)
    (vendor / "plain.js").write_text(VENDOR_PLAIN_JS)
    root = tmp_path_factory.mktemp("static_root")
    with override_settings(
        STATIC_ROOT=str(root),
        STATICFILES_DIRS=[OURS, ("vendor", vendor)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={**settings.STORAGES, "staticfiles": PRODUCTION},
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", "--no-input", verbosity=0)
        yield root


def hashed(root: Path, name: str) -> Path:
    return root / staticfiles_storage.stored_name(name)


def test_our_css_and_js_are_minified_before_hashing(collected):
    source_css = (OURS / "css" / "app.css").read_text()
    css = hashed(collected, "css/app.css").read_text()
    assert len(css) < 0.85 * len(source_css)
    assert "/*" not in css and "\n  " not in css  # no comments, no indentation
    assert ".matrix{font-size:.75rem}" in css  # the rules themselves are kept
    for name in ("js/app.js", "js/rollcall.js"):
        source = (OURS / name).read_text()
        path = hashed(collected, name)
        assert len(path.read_bytes()) < 0.8 * len(source.encode())
        assert "\n  " not in path.read_text()
        # The name's hash is that of the minified bytes, the ones sent and compressed.
        assert hashlib.md5(path.read_bytes()).hexdigest()[:12] in path.name  # noqa: S324
        assert brotli.decompress((path.parent / f"{path.name}.br").read_bytes()) == (
            path.read_bytes()
        )
        assert gzip.decompress((path.parent / f"{path.name}.gz").read_bytes()) == (
            path.read_bytes()
        )


def test_minified_and_foreign_files_are_written_as_they_come(collected):
    assert hashed(collected, "vendor/vendor.min.js").read_text() == VENDOR_MIN_JS
    assert hashed(collected, "vendor/plain.js").read_text() == VENDOR_PLAIN_JS


@pytest.mark.parametrize(("accept", "encoding"), [("br, gzip", "br"), ("gzip", "gzip")])
def test_css_and_js_are_served_compressed_and_cached_for_good(collected, accept, encoding):
    client = Client()  # a new handler: WhiteNoise reads STATIC_ROOT when it starts
    for name in ("css/app.css", "js/app.js"):
        url = staticfiles_storage.url(name)
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url)
        response = client.get(url, headers={"Accept-Encoding": accept})
        assert response.status_code == 200
        assert response["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response["Vary"]
        assert "max-age=315360000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
        body = b"".join(response.streaming_content)
        plain = brotli.decompress(body) if encoding == "br" else gzip.decompress(body)
        assert plain == hashed(collected, name).read_bytes()
