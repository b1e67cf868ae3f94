"""What the console says to a coordinator: refusals, audit actions, figure captions.

German first (the office's working language), translated through the same Babel
catalogs (``msgctxt`` "office"). Each function takes the catalogs and the language,
German by default; values are formatted by Babel for that language.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from bot.i18n.catalogs import NC_, NPC_, Catalogs
from bot.i18n.languages import get_language
from bot.office.audit import AuditAction
from bot.office.passwords import MAX_LENGTH, MIN_LENGTH, PasswordProblem
from bot.office.work import MAX_NOTE_CHARS, WorkStatus
from bot.registrations.coordinator_texts import COORDINATOR_LANGUAGE, coordinator_catalogs

LOGIN_INVALID = NC_("office", "Name, Passwort oder Code ist falsch.")
LOGIN_LOCKED = NPC_(
    "office",
    "Zu viele Fehlversuche. Bitte warten Sie {count} Sekunde und versuchen Sie es dann erneut.",
    "Zu viele Fehlversuche. Bitte warten Sie {count} Sekunden und versuchen Sie es dann erneut.",
)
LOGIN_DISABLED = NC_(
    "office", "Dieses Konto ist deaktiviert. Bitte wenden Sie sich an die Administration."
)
LOGIN_EXPIRED = NC_(
    "office",
    "Das Einmal-Passwort ist abgelaufen. Bitte lassen Sie es von der Administration neu setzen.",
)
WRONG_CURRENT_PASSWORD = NC_("office", "Das bisherige Passwort ist falsch.")
WRONG_CODE = NC_(
    "office",
    "Der Code ist falsch oder abgelaufen. Bitte geben Sie den aktuellen Code aus Ihrer App ein.",
)
PASSWORD_PROBLEMS = {
    PasswordProblem.TOO_SHORT: NC_(
        "office", "Das Passwort muss mindestens {count} Zeichen lang sein."
    ),
    PasswordProblem.TOO_LONG: NC_(
        "office", "Das Passwort darf höchstens {count} Zeichen lang sein."
    ),
    PasswordProblem.CONTAINS_NAME: NC_(
        "office", "Das Passwort darf den Kontonamen nicht enthalten."
    ),
    PasswordProblem.SAME_AS_CURRENT: NC_(
        "office", "Das neue Passwort muss sich vom bisherigen unterscheiden."
    ),
}
WORK_MESSAGES = {
    WorkStatus.NOT_FOUND: NC_("office", "Diese Anmeldung gibt es nicht (mehr)."),
    WorkStatus.NOT_ALLOWED: NC_(
        "office", "Dieser Schritt ist vom aktuellen Status aus nicht möglich."
    ),
    WorkStatus.EMPTY: NC_("office", "Die Notiz ist leer."),
    WorkStatus.TOO_LONG: NC_("office", "Die Notiz ist zu lang (höchstens {count} Zeichen)."),
}
ROLE_NAMES = {
    "coordinator": NC_("office", "Koordination"),
    "admin": NC_("office", "Administration"),
}
AUDIT_ACTIONS = {
    AuditAction.LOGIN: NC_("office", "Login"),
    AuditAction.LOGIN_FAILED: NC_("office", "Fehlgeschlagener Login"),
    AuditAction.LOGOUT: NC_("office", "Logout"),
    AuditAction.ACCOUNT_CREATED: NC_("office", "Konto angelegt"),
    AuditAction.ACCOUNT_DISABLED: NC_("office", "Konto deaktiviert"),
    AuditAction.PASSWORD_CHANGED: NC_("office", "Passwort geändert"),
    AuditAction.PASSWORD_RESET: NC_("office", "Einmal-Passwort neu gesetzt"),
    AuditAction.TOTP_ENROLLED: NC_("office", "Zweiter Faktor eingerichtet"),
    AuditAction.TOTP_RESET: NC_("office", "Zweiter Faktor zurückgesetzt"),
    AuditAction.TOTP_REQUIRED: NC_("office", "Zweiter Faktor verpflichtend gemacht"),
    AuditAction.TOTP_NOT_REQUIRED: NC_("office", "Zweiter Faktor freiwillig gemacht"),
    AuditAction.REGISTRATION_VIEWED: NC_("office", "Anmeldung angesehen"),
    AuditAction.REGISTRATION_TAKEN_OVER: NC_("office", "Anmeldung übernommen"),
    AuditAction.STATUS_CHANGED: NC_("office", "Status geändert"),
    AuditAction.NOTE_ADDED: NC_("office", "Notiz hinzugefügt"),
    AuditAction.EXPORT: NC_("office", "Export"),
}
CHART_TITLES = {
    "per_week": NC_("office", "Anmeldungen pro Woche"),
    "municipality": NC_("office", "Anmeldungen nach Gemeinde"),
    "language": NC_("office", "Anmeldungen nach Sprache im Chat"),
    "source": NC_("office", "Anmeldungen nach Quelle (Flyer-Link)"),
    "funnel": NC_("office", "Von der Anmeldung zur Vermittlung"),
}
CHART_DESCRIPTION = NC_(
    "office", "Balkendiagramm. Dieselben Zahlen stehen in der Tabelle unter dem Diagramm."
)
CHART_COUNT_HEADING = NC_("office", "Anzahl")
WEEK_LABEL = NC_("office", "Woche ab {date}")
NO_SOURCE_LABEL = NC_("office", "ohne Flyer-Link")


def _catalogs(catalogs: Catalogs | None) -> Catalogs:
    return catalogs if catalogs is not None else coordinator_catalogs()


def tr(
    message: tuple[str, str],
    *,
    catalogs: Catalogs | None = None,
    language: str = COORDINATOR_LANGUAGE,
) -> str:
    """Translate a marked console text (``NC_``) into ``language``."""
    return _catalogs(catalogs).pgettext(language, *message)


def locked_message(
    seconds: int, *, catalogs: Catalogs | None = None, language: str = COORDINATOR_LANGUAGE
) -> str:
    """Return the lockout refusal with the seconds to wait, in the language's plural form."""
    text = _catalogs(catalogs).npgettext(language, *LOGIN_LOCKED, seconds)
    return text.format(count=seconds)


def password_problem_message(
    problem: str, *, catalogs: Catalogs | None = None, language: str = COORDINATOR_LANGUAGE
) -> str:
    """Return why a new password was refused."""
    limit = MAX_LENGTH if problem == PasswordProblem.TOO_LONG else MIN_LENGTH
    text = tr(PASSWORD_PROBLEMS[PasswordProblem(problem)], catalogs=catalogs, language=language)
    return text.format(count=limit)


def work_message(
    status: WorkStatus, *, catalogs: Catalogs | None = None, language: str = COORDINATOR_LANGUAGE
) -> str:
    """Return why a step on a registration was refused."""
    text = tr(WORK_MESSAGES[status], catalogs=catalogs, language=language)
    return text.format(count=MAX_NOTE_CHARS)


def audit_action_name(
    action: str, *, catalogs: Catalogs | None = None, language: str = COORDINATOR_LANGUAGE
) -> str:
    """Return an audit row's action as admins read it (an unknown one as stored)."""
    try:
        message = AUDIT_ACTIONS[AuditAction(action)]
    except ValueError:
        return action
    return tr(message, catalogs=catalogs, language=language)


def role_name(
    role: str, *, catalogs: Catalogs | None = None, language: str = COORDINATOR_LANGUAGE
) -> str:
    """Return a role as the console shows it."""
    return (
        tr(ROLE_NAMES[role], catalogs=catalogs, language=language) if role in ROLE_NAMES else role
    )


def week_label(
    monday: date, *, catalogs: Catalogs | None = None, language: str = COORDINATOR_LANGUAGE
) -> str:
    """Return a week's label, e.g. "Woche ab 30.11.2026", with the language's date format."""
    shown = format_date(monday, format="short", locale=get_language(language).babel_locale)
    return tr(WEEK_LABEL, catalogs=catalogs, language=language).format(date=shown)
