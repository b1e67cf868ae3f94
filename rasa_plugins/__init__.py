"""Custom components loaded by the Rasa server (Python 3.10, ``.venv-rasa``); never imports ``bot``."""
