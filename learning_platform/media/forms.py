"""The upload form of a cover or a logo: the file and its text alternative in each language."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from learning_platform.forms import Form
from learning_platform.media import images
from learning_platform.models import Image, ImageKind

ALT_MAX = 300


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


class ImageForm(Form):
    image = FileField(_l("Image file"))
    alt_ko = StringField(_l("Description in Korean"), [DataRequired(), Length(max=ALT_MAX)])
    alt_en = StringField(_l("Description in English"), [DataRequired(), Length(max=ALT_MAX)])
    alt_th = StringField(_l("Description in Thai (optional)"), [Optional(), Length(max=ALT_MAX)])

    def __init__(self, kind: ImageKind, current: Image | None, **kwargs) -> None:
        super().__init__(obj=current, **kwargs)
        self.kind = kind
        self.current = current
        #: The checked, re-encoded upload once the form validates; None when only the
        #: descriptions change.
        self.processed: images.ProcessedImage | None = None
        limit = megabytes(current_app.config["MEDIA_MAX_BYTES"])
        self.image.description = (
            _l("JPEG, PNG or WebP, up to %(size)s MB.", size=limit)
            if kind == ImageKind.COVER
            else _l(
                "JPEG, PNG or WebP, up to %(size)s MB; square or wide, on a plain background.",
                size=limit,
            )
        )

    def alts(self) -> dict[str, str]:
        return {"ko": self.alt_ko.data, "en": self.alt_en.data, "th": self.alt_th.data or ""}

    def validate_image(self, field: FileField) -> None:
        upload = field.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            if self.current is None:
                raise ValidationError(_l("Choose an image file."))
            return
        if not images.has_accepted_extension(upload.filename):
            raise ValidationError(
                _l("Choose a JPEG, PNG or WebP image (a file ending in .jpg, .png or .webp).")
            )
        limit = current_app.config["MEDIA_MAX_BYTES"]
        data = upload.stream.read(limit + 1)
        if len(data) > limit:
            raise ValidationError(
                _l(
                    "This file is larger than %(size)s MB. Choose a smaller image or save it in a lower quality.",
                    size=megabytes(limit),
                )
            )
        try:
            self.processed = images.process(data, self.kind, current_app.config["MEDIA_MAX_PIXELS"])
        except images.UnusableImage as refused:
            raise ValidationError(refused.message) from None
