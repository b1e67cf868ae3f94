"""The questions of the registration form, shared by the form actions and the NLG summary."""

from __future__ import annotations

from bot.i18n.catalogs import N_

COMMON_FIELDS = ("reg_name", "reg_contact_method", "reg_phone", "reg_email", "reg_municipality")
MENTOR_FIELDS = ("reg_adult", "reg_interests", "reg_languages", "reg_hours", "reg_heard_from")
FAMILY_FIELDS = ("reg_child_age", "reg_home_languages", "reg_support", "reg_wishes")
OPTIONAL_FIELDS = frozenset({"reg_heard_from", "reg_wishes"})
SKIPPED = "skipped"
# Where each kind-specific answer is stored in ``Registration.details``.
DETAIL_KEYS: dict[str, str] = {
    "reg_adult": "adult_confirmed",
    "reg_interests": "interests",
    "reg_languages": "languages",
    "reg_hours": "hours_per_week",
    "reg_heard_from": "heard_from",
    "reg_child_age": "child_age_band",
    "reg_home_languages": "home_languages",
    "reg_support": "support",
    "reg_wishes": "wishes",
}

FIELD_LABELS: dict[str, str] = {
    "reg_name": N_("Name"),
    "reg_contact_method": N_("Kontakt"),
    "reg_phone": N_("Telefon"),
    "reg_email": N_("E-Mail"),
    "reg_municipality": N_("Gemeinde"),
    "reg_adult": N_("18 Jahre oder älter"),
    "reg_interests": N_("Interesse"),
    "reg_languages": N_("Sprachen"),
    "reg_hours": N_("Zeit pro Woche"),
    "reg_heard_from": N_("Erfahren durch"),
    "reg_child_age": N_("Alter des Kindes"),
    "reg_home_languages": N_("Sprachen zu Hause"),
    "reg_support": N_("Gewünschte Unterstützung"),
    "reg_wishes": N_("Wünsche"),
}


def form_fields(kind: str | None, contact_method: str | None) -> list[str]:
    """Return the questions for this kind of registration, in the order they are asked."""
    fields = [
        field
        for field in COMMON_FIELDS
        if (field != "reg_phone" or contact_method == "phone")
        and (field != "reg_email" or contact_method == "email")
    ]
    fields.extend(FAMILY_FIELDS if kind == "family" else MENTOR_FIELDS)
    return fields


def editable_fields(kind: str | None, contact_method: str | None) -> list[str]:
    """Return the questions whose answers can be changed before saving."""
    return [field for field in form_fields(kind, contact_method) if field != "reg_adult"]
