"""The channels people chat through (web; terminal and Telegram are still in bot/)."""
