"""Files in the fake Bot API: what users and the bot send (file_id, URL or upload), getFile and the file URL."""

from __future__ import annotations

from typing import Any

from ._http import HttpResponse, UploadedFile
from .records import ApiCall, FileEntry
from .state import ApiState
from .values import _EXT, _MIME, ApiError, _bad, _error_answer


class Files(ApiState):
    """Stored files: added, turned into the Message field of a sent file, served."""

    def add_file(
        self, data: bytes, kind: str = "document", *, mime_type: str | None = None, file_name: str | None = None
    ) -> FileEntry:
        """Store bytes under a new file_id (getFile + the file URL will serve them)."""
        n = next(self._file_seq)
        file_id = f"FAKE-{kind}-{n:06d}"
        path = f"{kind}s/file_{n}.{_EXT.get(kind, 'bin')}"
        entry = FileEntry(file_id, f"U{n:06d}", kind, data, path, mime_type or _MIME.get(kind), file_name)
        self.files[file_id] = entry
        return entry

    def _media_content(
        self, params: dict[str, Any], files: dict[str, UploadedFile], kind: str
    ) -> tuple[dict[str, Any], UploadedFile | None]:
        """The Message field for a sent file (file_id, URL or multipart upload)."""
        value = params.get(kind)
        upload = files.get(kind)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
        if upload is not None:
            entry = self.add_file(upload.data, kind, mime_type=upload.content_type, file_name=upload.filename)
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            entry = self.add_file(b"", kind, file_name=value.rsplit("/", 1)[-1])
        elif isinstance(value, str) and value in self.files:
            entry = self.files[value]
        elif isinstance(value, str) and value:
            raise _bad("wrong file identifier/HTTP URL specified")
        else:
            raise _bad(f"there is no {kind} in the request")
        return {kind: _file_object(entry, kind, self)}, upload

    def _serve_file(self, rest: str) -> HttpResponse:
        token, _, path = rest.partition("/")
        if token != self.token:
            return _error_answer(ApiError(401, "Unauthorized"))
        for entry in self.files.values():
            if entry.file_path == path:
                return HttpResponse(200, entry.data, entry.mime_type or "application/octet-stream")
        return _error_answer(ApiError(404, "Not Found"))


def _file_object(entry: FileEntry, kind: str, api: Files) -> Any:
    base = {"file_id": entry.file_id, "file_unique_id": entry.file_unique_id, "file_size": len(entry.data)}
    if kind == "photo":
        thumb = api.add_file(entry.data, "photo")
        return [
            {
                "file_id": thumb.file_id,
                "file_unique_id": thumb.file_unique_id,
                "width": 90,
                "height": 90,
                "file_size": len(entry.data),
            },
            {**base, "width": 800, "height": 800},
        ]
    if kind == "document":
        doc = dict(base)
        if entry.file_name:
            doc["file_name"] = entry.file_name
        if entry.mime_type:
            doc["mime_type"] = entry.mime_type
        return doc
    if kind in ("voice", "audio"):
        return {**base, "duration": 1, "mime_type": entry.mime_type or _MIME[kind]}
    if kind in ("video", "animation"):
        return {**base, "width": 640, "height": 360, "duration": 1}
    if kind == "video_note":
        return {**base, "length": 240, "duration": 1}
    if kind == "sticker":
        return {**base, "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
    return base


async def _get_file(api: Files, call: ApiCall) -> Any:
    entry = api.files.get(str(call.params.get("file_id", "")))
    if entry is None:
        raise _bad("invalid file_id")
    if len(entry.data) > 20 * 1024 * 1024:
        raise _bad("file is too big")
    return {
        "file_id": entry.file_id,
        "file_unique_id": entry.file_unique_id,
        "file_size": len(entry.data),
        "file_path": entry.file_path,
    }


#: The Bot API methods about files, by name.
METHODS: dict[str, Any] = {"getFile": _get_file}
