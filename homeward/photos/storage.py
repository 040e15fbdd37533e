"""Where photos are kept: the ``photos`` alias of ``settings.STORAGES``, never a public URL.

By default the files live under ``var/photos`` on the local disk (``PrivateFileSystemStorage``,
which refuses to name a URL: nothing serves that directory). A deployment moves them to
S3-compatible object storage with two environment variables read in ``settings.py``,
after installing django-storages::

    PHOTO_STORAGE_BACKEND=storages.backends.s3.S3Storage
    PHOTO_STORAGE_OPTIONS='{"bucket_name": "homeward-photos", "default_acl": "private",
                            "querystring_auth": true, "querystring_expire": 300,
                            "file_overwrite": true}'

(a private bucket; a URL it signs lasts five minutes). The pages that show photos come in a
later slice and read them through an access-checked view or such a short-lived signed URL.

The models' file fields hold ``PhotoStorage``, which looks the alias up on every call, so a
changed ``STORAGES`` (tests use a temporary directory) takes effect at once; a storage
object fixed when the models load would keep writing to the first directory.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible

ALIAS = "photos"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on the local disk that have no URL: asking for one is a mistake in the code."""

    def url(self, name: str | None) -> str:
        raise NotImplementedError(
            "Photos have no public URL: serve them through an access-checked view."
        )


def backend() -> Storage:
    """The storage the ``photos`` alias names now."""
    return storages[ALIAS]


@deconstructible(path="homeward.photos.storage.PhotoStorage")
class PhotoStorage(Storage):
    """Every call goes to ``backend()``, looked up anew."""

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        return backend().open(name, mode)

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        return backend().save(name, content, max_length=max_length)

    def delete(self, name: str) -> None:
        backend().delete(name)

    def exists(self, name: str) -> bool:
        return backend().exists(name)

    def size(self, name: str) -> int:
        return backend().size(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return backend().listdir(path)

    def get_modified_time(self, name: str) -> dt.datetime:
        return backend().get_modified_time(name)

    def path(self, name: str) -> str:
        return backend().path(name)

    def url(self, name: str | None) -> str:
        return backend().url(name)

    def get_valid_name(self, name: str) -> str:
        return backend().get_valid_name(name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return backend().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return backend().generate_filename(filename)


photo_storage = PhotoStorage()
