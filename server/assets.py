"""Front-end files installed from a package registry at set-up (never committed)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.request
from pathlib import Path

HTMX_VERSION = "2.0.11"
# npm's published integrity for htmx.org@2.0.11 (``npm view htmx.org@2.0.11 dist.integrity``)
HTMX_INTEGRITY = (
    "sha512-"
    "Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
)
NPM_REGISTRY = os.environ.get("AFTERSALES_NPM_REGISTRY", "https://registry.npmjs.org")
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
HTMX_FILE = f"htmx-{HTMX_VERSION}.min.js"


class AssetError(Exception):
    """A front-end package could not be fetched or failed its integrity check."""


def htmx_static_path() -> str:
    """The path under /static the pages load htmx from."""
    return f"vendor/{HTMX_FILE}"


def htmx_installed() -> bool:
    return (VENDOR_DIR / HTMX_FILE).is_file()


def install_htmx(timeout: float = 60.0) -> Path:
    """Fetch htmx.org from the npm registry, check its integrity, unpack the minified file."""
    target = VENDOR_DIR / HTMX_FILE
    if target.is_file():
        return target
    url = f"{NPM_REGISTRY}/htmx.org/-/htmx.org-{HTMX_VERSION}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            tarball = response.read()
    except OSError as exc:
        raise AssetError(f"cannot download {url}: {exc}") from None
    algorithm, _, expected = HTMX_INTEGRITY.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        raise AssetError(f"{url} failed its integrity check; refusing to install it")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile("package/dist/htmx.min.js")
        if member is None:
            raise AssetError(f"{url} has no dist/htmx.min.js")
        content = member.read()
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(target)
    return target
