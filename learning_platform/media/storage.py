"""The folder of stored image files (MEDIA_ROOT): written once by name, never changed."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from flask import current_app

from learning_platform.media.images import ProcessedImage

#: The only names the folder holds and /media/ serves: `<32 hex digits>-<size>.webp`.
FILE_NAME = re.compile(r"[0-9a-f]{32}-[0-9]{1,4}\.webp")


def media_root() -> Path:
    return Path(current_app.config["MEDIA_ROOT"])


def store(image: ProcessedImage) -> None:
    """Write the image's files. A name holds the hash of its content, so a file already there
    is the same file; each is written under a temporary name and then renamed, so that a
    reader never sees half of one."""
    root = media_root()
    root.mkdir(parents=True, exist_ok=True)
    for size, data in image.files.items():
        path = root / f"{image.key}-{size}.webp"
        if path.exists():
            # Already there (the same picture uploaded before): marked as just used, so that
            # housekeeping does not take it for an unused one meanwhile.
            os.utime(path)
            continue
        handle, temporary = tempfile.mkstemp(dir=root, prefix=".upload-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
