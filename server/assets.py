"""Front-end files installed from a package registry at set-up (never committed)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

NPM_REGISTRY = os.environ.get("AFTERSALES_NPM_REGISTRY", "https://registry.npmjs.org")
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"


@dataclass(frozen=True)
class NpmFile:
    """One file out of an npm package, pinned by version and npm's published integrity
    (``npm view <package>@<version> dist.integrity``)."""

    package: str
    version: str
    integrity: str
    member: str  # path inside the tarball
    filename: str  # name it is saved under

    @property
    def url(self) -> str:
        bare = self.package.rsplit("/", 1)[-1]
        return f"{NPM_REGISTRY}/{self.package}/-/{bare}-{self.version}.tgz"


HTMX = NpmFile(
    package="htmx.org",
    version="2.0.11",
    integrity="sha512-"
    "Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
    member="package/dist/htmx.min.js",
    filename="htmx-2.0.11.min.js",
)
# The accessibility engine the browser tests inject into pages (never served by the app).
AXE = NpmFile(
    package="axe-core",
    version="4.14.1",
    integrity="sha512-"
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    member="package/axe.min.js",
    filename="axe-core-4.14.1.min.js",
)
HTMX_VERSION = HTMX.version
HTMX_FILE = HTMX.filename


class AssetError(Exception):
    """A front-end package could not be fetched or failed its integrity check."""


def htmx_static_path() -> str:
    """The path under /static the pages load htmx from."""
    return f"vendor/{HTMX_FILE}"


def htmx_installed() -> bool:
    return (VENDOR_DIR / HTMX_FILE).is_file()


def install_htmx(timeout: float = 60.0) -> Path:
    """Fetch htmx.org from the npm registry, check its integrity, unpack the minified file."""
    return install_npm_file(HTMX, VENDOR_DIR, timeout)


def install_npm_file(spec: NpmFile, directory: Path, timeout: float = 60.0) -> Path:
    """``spec``'s file in ``directory``, downloaded and integrity-checked if not there yet.

    Written under a temporary name and renamed, so two processes installing at once both
    end with the whole file.
    """
    target = directory / spec.filename
    if target.is_file():
        return target
    try:
        with urllib.request.urlopen(spec.url, timeout=timeout) as response:
            tarball = response.read()
    except OSError as exc:
        raise AssetError(f"cannot download {spec.url}: {exc}") from None
    algorithm, _, expected = spec.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        raise AssetError(f"{spec.url} failed its integrity check; refusing to install it")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        try:
            member = archive.extractfile(spec.member)
        except KeyError:
            member = None
        if member is None:
            raise AssetError(f"{spec.url} has no {spec.member.removeprefix('package/')}")
        content = member.read()
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    partial.write_bytes(content)
    partial.replace(target)
    return target
