"""The Telegram front end (python-telegram-bot), a thin channel over bot.core.conversation."""
