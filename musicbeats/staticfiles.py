"""Static files as production serves them (`make serve`): our own CSS and JavaScript
minified when collected, then hashed and compressed (gzip and Brotli) by WhiteNoise.

Minifying happens as each file is written (`_save`), before the manifest storage hashes
it and WhiteNoise compresses it, so the hash and the `.br`/`.gz` copies are those of the
bytes sent. Only our own files are minified (`css/` and `js/`, from static/): the packages'
files come minified where it matters (Bootstrap, htmx) and are written as they come, and
rjsmin is not safe on all modern JavaScript (it joins class fields written without
semicolons, e.g. in django-htmx's htmx-4.js). Ours keep their semicolons; rcssmin and
rjsmin only remove comments and white space, so a minified file behaves as its source.
"""

from pathlib import PurePosixPath

import rcssmin
import rjsmin
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

MINIFIERS = {
    ".css": lambda text: rcssmin.cssmin(text, keep_bang_comments=True),
    ".js": lambda text: rjsmin.jsmin(text, keep_bang_comments=True),
}


OWN_FOLDERS = ("css", "js")  # static/css/, static/js/


def minifier_for(name: str):
    """The minifier for a static file's name, or None (not ours, not CSS or JS, or
    minified already)."""
    path = PurePosixPath(name)
    if path.parts[0] not in OWN_FOLDERS or ".min" in path.suffixes:
        return None
    return MINIFIERS.get(path.suffix)


def minified(name: str, content):
    """`content` minified if `name` is ours to minify (a ContentFile), else None."""
    minify = minifier_for(name)
    if minify is None:
        return None
    content.seek(0)
    data = content.read()
    content.seek(0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # not ours to judge: left as it is
        return None
    return ContentFile(minify(text).encode("utf-8"))


class MinifiedCompressedManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage that minifies our CSS and JS: each name's
    hash is that of the minified bytes (the manifest storage hashes the source file, so
    it is minified for the hash too; minifying twice changes nothing), and the file
    written, then compressed, is the minified one."""

    def file_hash(self, name, content=None):
        if name and content is not None and (small := minified(name, content)) is not None:
            content = small
        return super().file_hash(name, content)

    def _save(self, name, content):
        return super()._save(name, minified(name, content) or content)
