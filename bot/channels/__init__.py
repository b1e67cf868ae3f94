"""The channels people chat through: terminal, Telegram and the web chat."""
