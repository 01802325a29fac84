"""Model bundles: ``<name>.npz`` (plain arrays, no pickle) plus a ``<name>.json`` manifest.

The ``.npz`` is written by :func:`write_npz` with fixed zip metadata (no timestamps, entries
in name order, stored uncompressed), so the same arrays always give the same bytes and the
manifest can carry their SHA-256. :func:`load_bundle` reads both, checks the format version,
the name and the digest, and loads the arrays with ``allow_pickle=False``; every problem is a
:class:`~alerts.errors.ModelError` naming the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from alerts.errors import ModelError

FORMAT_VERSION = 1
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_npz(path: Path, arrays: Mapping[str, NDArray[Any]]) -> None:
    """Write ``arrays`` as an ``.npz`` whose bytes depend on the arrays only."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            arr = np.ascontiguousarray(arrays[name])
            if arr.dtype.hasobject:
                raise ValueError(f"array {name!r} holds Python objects")
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            data = io.BytesIO()
            np.lib.format.write_array(data, arr, allow_pickle=False)
            zf.writestr(info, data.getvalue())
    Path(path).write_bytes(buf.getvalue())


def read_npz(path: Path) -> dict[str, NDArray[Any]]:
    """Every array of an ``.npz`` (``allow_pickle=False``); a bad file is a ModelError."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except FileNotFoundError:
        raise ModelError(f"{path}: model file missing") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise ModelError(f"{path}: unreadable model arrays ({exc})") from None


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Canonical JSON: sorted keys, two-space indent, UTF-8, trailing newline."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def read_json(path: Path) -> dict[str, Any]:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(f"{path}: manifest missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: unreadable manifest ({exc})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path}: manifest is not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: manifest is not a JSON object")
    return data


@dataclass(frozen=True)
class Bundle:
    name: str
    manifest: dict[str, Any]
    arrays: dict[str, NDArray[Any]]
    json_path: Path


def save_bundle(
    directory: Path, name: str, manifest: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]
) -> dict[str, Any]:
    """Write ``<name>.npz`` and ``<name>.json``; returns the manifest as written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    npz = directory / f"{name}.npz"
    write_npz(npz, arrays)
    digest = sha256_file(npz)
    full = {
        **manifest,
        "format_version": FORMAT_VERSION,
        "name": name,
        "arrays": sorted(arrays),
        "npz_sha256": digest,
    }
    full.setdefault("model_version", f"{name}-{digest[:12]}")
    write_json(directory / f"{name}.json", full)
    return full


def load_bundle(directory: Path, name: str, required: tuple[str, ...] = ()) -> Bundle:
    """Read and check one bundle; raises :class:`ModelError` naming the file at fault."""
    directory = Path(directory)
    json_path, npz_path = directory / f"{name}.json", directory / f"{name}.npz"
    manifest = read_json(json_path)
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(
            f"{json_path}: format version {version!r}, this program reads {FORMAT_VERSION}"
        )
    if manifest.get("name") != name:
        raise ModelError(f"{json_path}: manifest names {manifest.get('name')!r}, not {name!r}")
    for key in ("npz_sha256", "model_version", "classes", "features", *required):
        if key not in manifest:
            raise ModelError(f"{json_path}: manifest lacks {key!r}")
    if not npz_path.exists():
        raise ModelError(f"{npz_path}: model file missing")
    digest = sha256_file(npz_path)
    if digest != manifest["npz_sha256"]:
        raise ModelError(
            f"{npz_path}: SHA-256 {digest[:12]}… does not match its manifest "
            f"({str(manifest['npz_sha256'])[:12]}…): the file is corrupt or from another training"
        )
    arrays = read_npz(npz_path)
    missing = [a for a in manifest.get("arrays", []) if a not in arrays]
    if missing:
        raise ModelError(f"{npz_path}: arrays missing: {', '.join(missing)}")
    return Bundle(name=name, manifest=manifest, arrays=arrays, json_path=json_path)
