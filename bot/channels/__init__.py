"""The channels users chat through: terminal, Telegram (and more to come)."""
