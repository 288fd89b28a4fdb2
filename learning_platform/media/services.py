"""Attaching, replacing and removing an offering's cover and a partner's logo."""

from __future__ import annotations

from learning_platform.audit.services import diff, record
from learning_platform.extensions import db
from learning_platform.media import storage
from learning_platform.media.images import ProcessedImage
from learning_platform.models import AuditAction, Image, Offering, Partner

ALT_LANGUAGES = ("ko", "en", "th")


def _replace(current: Image | None, upload: ProcessedImage | None, alts: dict[str, str]) -> Image:
    """The image to keep: a new one for an upload (its files stored now, before the commit,
    so a committed row never names a missing file), or `current` with the new alt texts."""
    texts = {f"alt_{language}": alts.get(language, "") for language in ALT_LANGUAGES}
    if upload is None:
        if current is None:
            raise ValueError("nothing to describe")  # the form requires a file then
        for name, text in texts.items():
            setattr(current, name, text)
        return current
    storage.store(upload)
    image = Image(
        kind=upload.kind,
        key=upload.key,
        width=upload.width,
        height=upload.height,
        sizes=upload.sizes,
        **texts,
    )
    db.session.add(image)
    if current is not None:
        # Its files stay: a duplicated offering may show them too (content-addressed names).
        db.session.delete(current)
    return image


def _state(image: Image | None) -> dict:
    """What the trail compares of an image: whether there is one, and its alt texts."""
    state = {"image": image is not None}
    for language in ALT_LANGUAGES:
        state[f"alt_{language}"] = getattr(image, f"alt_{language}", "") if image else ""
    return state


def _changes(before: dict, image: Image | None, uploaded: bool) -> dict:
    changes = diff(before, _state(image))
    if uploaded:  # a new file, where there was one or not
        changes["image"] = [before["image"], True]
    return changes


def set_cover(offering: Offering, upload: ProcessedImage | None, alts: dict[str, str]) -> Image:
    before = _state(offering.cover)
    offering.cover = _replace(offering.cover, upload, alts)
    record(
        AuditAction.OFFERING_COVER_CHANGED,
        offering,
        changes=_changes(before, offering.cover, upload is not None),
    )
    return offering.cover


def remove_cover(offering: Offering, *, audit: bool = True) -> None:
    """Remove the cover; `audit=False` when the removal is part of a change recorded itself."""
    if offering.cover is not None:
        before = _state(offering.cover)
        image, offering.cover = offering.cover, None
        db.session.delete(image)
        if audit:
            record(
                AuditAction.OFFERING_COVER_CHANGED,
                offering,
                changes=_changes(before, None, False),
            )


def set_logo(partner: Partner, upload: ProcessedImage | None, alts: dict[str, str]) -> Image:
    before = _state(partner.logo)
    partner.logo = _replace(partner.logo, upload, alts)
    record(
        AuditAction.PARTNER_LOGO_CHANGED,
        partner,
        changes=_changes(before, partner.logo, upload is not None),
    )
    return partner.logo


def remove_logo(partner: Partner) -> None:
    if partner.logo is not None:
        before = _state(partner.logo)
        image, partner.logo = partner.logo, None
        db.session.delete(image)
        record(AuditAction.PARTNER_LOGO_CHANGED, partner, changes=_changes(before, None, False))


def copied(image: Image | None) -> Image | None:
    """A row of its own showing the same files (for a duplicated offering)."""
    if image is None:
        return None
    return Image(
        kind=image.kind,
        key=image.key,
        width=image.width,
        height=image.height,
        sizes=list(image.sizes),
        alt_ko=image.alt_ko,
        alt_en=image.alt_en,
        alt_th=image.alt_th,
    )
