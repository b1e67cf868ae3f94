"""The console pages' own texts (German source, msgctxt "office"), looked up by key.

Refusals, audit actions and chart captions come from :mod:`bot.office.texts`; these are
the labels of the pages. Templates read them as ``t.<key>``.
"""

from __future__ import annotations

from bot.i18n.catalogs import NC_, NPC_, Catalogs

PAGE_TEXTS: dict[str, tuple[str, str]] = {
    "site_title": NC_("office", "Patenbot – Koordination"),
    "skip_link": NC_("office", "Zum Inhalt springen"),
    "nav_label": NC_("office", "Hauptnavigation"),
    "nav_inbox": NC_("office", "Anmeldungen"),
    "nav_handoffs": NC_("office", "Gespräche"),
    "nav_notifications": NC_("office", "Benachrichtigungen"),
    "nav_dashboard": NC_("office", "Zahlen"),
    "nav_accounts": NC_("office", "Konten"),
    "nav_audit": NC_("office", "Protokoll"),
    "nav_account": NC_("office", "Mein Konto"),
    "logout": NC_("office", "Abmelden"),
    "logged_in_as": NC_("office", "Angemeldet als"),
    "error_summary": NC_("office", "Bitte prüfen Sie Ihre Eingaben:"),
    "error_prefix": NC_("office", "Fehler:"),
    "required": NC_("office", "Bitte füllen Sie dieses Feld aus."),
    # Login
    "login_heading": NC_("office", "Anmeldung für die Koordinationsstelle"),
    "name": NC_("office", "Kontoname"),
    "password": NC_("office", "Passwort"),
    "login_button": NC_("office", "Anmelden"),
    "totp_heading": NC_("office", "Zweiter Faktor"),
    "totp_code": NC_("office", "Sechsstelliger Code"),
    "totp_hint": NC_("office", "Der Code steht in Ihrer Authenticator-App und gilt 30 Sekunden."),
    "confirm": NC_("office", "Bestätigen"),
    "logged_out": NC_("office", "Sie sind abgemeldet."),
    "session_expired": NC_(
        "office", "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an."
    ),
    "csrf_failed": NC_(
        "office",
        "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es "
        "noch einmal.",
    ),
    "address_throttled": NC_(
        "office",
        "Zu viele Anmeldeversuche von diesem Anschluss. Bitte warten Sie einige Minuten.",
    ),
    "admin_only": NC_("office", "Diese Seite ist der Administration vorbehalten."),
    "not_found": NC_("office", "Diese Seite gibt es nicht."),
    # Own account
    "password_heading": NC_("office", "Passwort ändern"),
    "password_intro_one_time": NC_(
        "office", "Bitte ersetzen Sie Ihr Einmal-Passwort durch ein eigenes Passwort."
    ),
    "current_password": NC_("office", "Bisheriges Passwort"),
    "new_password": NC_("office", "Neues Passwort"),
    "repeat_password": NC_("office", "Neues Passwort wiederholen"),
    "password_hint": NC_(
        "office", "Mindestens 12 Zeichen, ohne Ihren Kontonamen. Ein Satz lässt sich gut merken."
    ),
    "passwords_differ": NC_("office", "Die beiden neuen Passwörter stimmen nicht überein."),
    "save_password": NC_("office", "Passwort speichern"),
    "password_saved": NC_("office", "Ihr Passwort ist geändert."),
    "totp_enrol_heading": NC_("office", "Zweiten Faktor einrichten"),
    "totp_required_notice": NC_(
        "office", "Die Administration verlangt für Ihr Konto einen zweiten Faktor."
    ),
    "totp_intro": NC_(
        "office",
        "Scannen Sie den QR-Code mit einer Authenticator-App oder geben Sie den Schlüssel "
        "von Hand ein. Bestätigen Sie dann mit dem Code, den die App anzeigt.",
    ),
    "totp_qr_alt": NC_("office", "QR-Code mit dem Schlüssel für die Authenticator-App"),
    "totp_secret": NC_("office", "Schlüssel"),
    "totp_enrol_button": NC_("office", "Zweiten Faktor einschalten"),
    "totp_enrolled": NC_("office", "Der zweite Faktor ist eingerichtet."),
    "account_heading": NC_("office", "Mein Konto"),
    "role": NC_("office", "Rolle"),
    "second_factor": NC_("office", "Zweiter Faktor"),
    "totp_on": NC_("office", "eingerichtet"),
    "totp_off": NC_("office", "nicht eingerichtet"),
    "totp_set_up": NC_("office", "Zweiten Faktor einrichten"),
    "totp_renew": NC_("office", "Zweiten Faktor neu einrichten"),
    # Inbox
    "inbox_heading": NC_("office", "Anmeldungen"),
    "filters": NC_("office", "Filter"),
    "kind": NC_("office", "Art"),
    "status": NC_("office", "Status"),
    "municipality": NC_("office", "Gemeinde"),
    "language": NC_("office", "Sprache im Chat"),
    "source": NC_("office", "Quelle"),
    "created_from": NC_("office", "Eingegangen ab"),
    "created_to": NC_("office", "Eingegangen bis"),
    "date_hint": NC_("office", "Format: JJJJ-MM-TT, zum Beispiel 2026-12-01"),
    "bad_date": NC_("office", "Bitte geben Sie ein Datum im Format JJJJ-MM-TT ein."),
    "name_search": NC_("office", "Name enthält"),
    "any": NC_("office", "alle"),
    "apply_filters": NC_("office", "Filtern"),
    "reset_filters": NC_("office", "Filter zurücksetzen"),
    "status_counts": NC_("office", "Anzahl nach Status (mit den übrigen Filtern)"),
    "inbox_caption": NC_("office", "Anmeldungen, die neuesten zuerst"),
    "number": NC_("office", "Nr."),
    # Translators: the column of a person's name in the registrations table.
    "person_name": NC_("office", "Name"),
    "received": NC_("office", "Eingang"),
    "assigned_to": NC_("office", "Bearbeitet von"),
    "nobody": NC_("office", "noch niemand"),
    "no_rows": NC_("office", "Keine Anmeldungen für diese Filter."),
    "next_page": NC_("office", "Weitere Anmeldungen"),
    "first_page": NC_("office", "Zur ersten Seite"),
    "export_csv": NC_("office", "Als CSV herunterladen"),
    "export_xlsx": NC_("office", "Als Excel-Datei (XLSX) herunterladen"),
    "export_hint": NC_(
        "office",
        "Der Download enthält alle Anmeldungen der aktuellen Filter und wird protokolliert.",
    ),
    # Detail
    "detail_heading": NC_("office", "Anmeldung Nr. {number}"),
    "back_to_inbox": NC_("office", "Zurück zu den Anmeldungen"),
    "fields": NC_("office", "Angaben"),
    "conversation_language": NC_("office", "Sprache des Gesprächs"),
    "created_at": NC_("office", "Eingegangen am"),
    "consent": NC_("office", "Einwilligung"),
    "notice_version": NC_("office", "Version des Datenschutzhinweises"),
    "consent_language": NC_("office", "Sprache des Hinweises"),
    "consent_time": NC_("office", "Zeitpunkt"),
    "no_consent": NC_("office", "Kein Einwilligungsnachweis gespeichert."),
    "work": NC_("office", "Bearbeitung"),
    "take_over": NC_("office", "Übernehmen"),
    "taken_over": NC_("office", "Sie bearbeiten diese Anmeldung jetzt."),
    "new_status": NC_("office", "Neuer Status"),
    "change_status": NC_("office", "Status ändern"),
    "status_changed": NC_("office", "Der Status ist geändert."),
    "final_status": NC_("office", "Von diesem Status aus geht es nicht weiter."),
    "history": NC_("office", "Statusverlauf"),
    "when": NC_("office", "Wann"),
    "from_status": NC_("office", "Von"),
    "to_status": NC_("office", "Nach"),
    "by_whom": NC_("office", "Durch"),
    "notes": NC_("office", "Interne Notizen"),
    "no_notes": NC_("office", "Noch keine Notizen."),
    "new_note": NC_("office", "Neue Notiz"),
    "note_hint": NC_(
        "office",
        "Nur für die Koordinationsstelle. Notizen werden mit der Anmeldung gelöscht.",
    ),
    "save_note": NC_("office", "Notiz speichern"),
    "note_saved": NC_("office", "Die Notiz ist gespeichert."),
    # Handoffs
    "handoffs_heading": NC_("office", "Gespräche mit Übergabe an die Koordinationsstelle"),
    "handoffs_caption": NC_("office", "Offene Gespräche, die ältesten zuerst"),
    "channel": NC_("office", "Kanal"),
    "since": NC_("office", "Offen seit"),
    "open": NC_("office", "Öffnen"),
    "no_handoffs": NC_("office", "Keine offenen Gespräche."),
    "channel_web": NC_("office", "Web-Chat"),
    "channel_telegram": NC_("office", "Telegram"),
    "channel_other": NC_("office", "anderer Kanal"),
    "handoff_heading": NC_("office", "Gespräch Nr. {number}"),
    "back_to_handoffs": NC_("office", "Zurück zu den Gesprächen"),
    "handoff_messages": NC_("office", "Nachrichten seit der Übergabe"),
    "from_person": NC_("office", "Person"),
    "from_office": NC_("office", "Koordinationsstelle"),
    "no_messages": NC_("office", "Noch keine Nachrichten."),
    "reply": NC_("office", "Ihre Antwort"),
    "reply_hint": NC_(
        "office",
        "Die Person erhält die Antwort sofort in ihrem Chat. Bitte schreiben Sie in der "
        "Sprache des Gesprächs oder in einfachem Deutsch.",
    ),
    "send_reply": NC_("office", "Antwort senden"),
    "reply_sent": NC_("office", "Die Antwort ist gesendet."),
    "reply_empty": NC_("office", "Bitte schreiben Sie eine Antwort."),
    "end_handoff": NC_("office", "Gespräch beenden"),
    "end_hint": NC_("office", "Danach antwortet wieder der Assistent."),
    "handoff_ended": NC_("office", "Das Gespräch ist beendet."),
    "handoff_gone": NC_("office", "Dieses Gespräch ist beendet oder gelöscht."),
    "telegram_reply_note": NC_(
        "office",
        "Was die Person bei Telegram schreibt, steht in der Telegram-Gruppe. Ihre Antwort "
        "von hier erhält sie in Telegram, und die Gruppe sieht sie auch.",
    ),
    # Notifications
    "notifications_heading": NC_("office", "Benachrichtigungen"),
    "no_notifications": NC_("office", "Keine neuen Benachrichtigungen."),
    "mark_read": NC_("office", "Als gelesen markieren"),
    "marked_read": NC_("office", "Die Benachrichtigungen sind als gelesen markiert."),
    "new_badge": NC_("office", "neu"),
    "to_registration": NC_("office", "Zur Anmeldung"),
    "live_notice": NC_("office", "Neue Benachrichtigungen: {count}"),
    # Dashboard
    "dashboard_heading": NC_("office", "Zahlen"),
    "period_from": NC_("office", "Zeitraum ab"),
    "period_to": NC_("office", "Zeitraum bis"),
    "show": NC_("office", "Anzeigen"),
    "value": NC_("office", "Wert"),
    # Admin
    "accounts_heading": NC_("office", "Konten"),
    "accounts_caption": NC_("office", "Alle Konten der Konsole"),
    "state": NC_("office", "Zustand"),
    "active": NC_("office", "aktiv"),
    "disabled": NC_("office", "deaktiviert"),
    "totp_required": NC_("office", "verlangt"),
    "last_login": NC_("office", "Letzte Anmeldung"),
    "never": NC_("office", "noch nie"),
    "actions": NC_("office", "Aktionen"),
    "disable": NC_("office", "Deaktivieren"),
    "reset_password": NC_("office", "Einmal-Passwort neu setzen"),
    "require_totp": NC_("office", "Zweiten Faktor verlangen"),
    "unrequire_totp": NC_("office", "Zweiten Faktor nicht mehr verlangen"),
    "reset_totp": NC_("office", "Zweiten Faktor zurücksetzen"),
    "new_account": NC_("office", "Neues Konto"),
    "name_hint": NC_("office", "Kleinbuchstaben, Ziffern, Punkt, Bindestrich; 2 bis 64 Zeichen."),
    "create_account": NC_("office", "Konto anlegen"),
    "one_time_password_shown": NC_(
        "office",
        "Einmal-Passwort für {name}: {password} – es wird nur jetzt angezeigt. Bitte geben "
        "Sie es persönlich oder telefonisch weiter; es muss bei der ersten Anmeldung "
        "geändert werden.",
    ),
    "account_disabled": NC_("office", "Das Konto {name} ist deaktiviert."),
    "account_changed": NC_("office", "Das Konto {name} ist geändert."),
    "invalid_name": NC_("office", "Dieser Kontoname ist nicht erlaubt."),
    "name_taken": NC_("office", "Diesen Kontonamen gibt es schon."),
    "invalid_role": NC_("office", "Bitte wählen Sie eine Rolle."),
    "last_admin": NC_(
        "office", "Das letzte aktive Administrationskonto kann nicht deaktiviert werden."
    ),
    "audit_heading": NC_("office", "Protokoll der Zugriffe und Änderungen"),
    "audit_caption": NC_("office", "Einträge, die neuesten zuerst"),
    "actor": NC_("office", "Wer"),
    "action": NC_("office", "Aktion"),
    "registration": NC_("office", "Anmeldung"),
    "account": NC_("office", "Konto"),
    "detail": NC_("office", "Einzelheit"),
    "row_count_heading": NC_("office", "Zeilen"),
    "unknown_name": NC_("office", "(unbekannter Name)"),
    "older_entries": NC_("office", "Ältere Einträge"),
}
ROW_COUNT = NPC_("office", "{count} Anmeldung", "{count} Anmeldungen")


class PageTexts:
    """The page texts in one language; ``t.key`` in a template, ``t.key_of(...)`` formatted."""

    def __init__(self, catalogs: Catalogs, language: str) -> None:
        """Translate lazily from ``catalogs`` into ``language``."""
        self._catalogs = catalogs
        self._language = language

    def __getattr__(self, key: str) -> str:
        """Return one text by key."""
        try:
            message = PAGE_TEXTS[key]
        except KeyError as error:
            raise AttributeError(key) from error
        return self._catalogs.pgettext(self._language, *message)

    def __getitem__(self, key: str) -> str:
        """Return one text by key (``t["channel_" + name]`` in a template)."""
        return self.__getattr__(key)

    def rows(self, count: int) -> str:
        """Return "{count} Anmeldungen" in the language's plural form."""
        return self._catalogs.npgettext(self._language, *ROW_COUNT, count).format(count=count)
