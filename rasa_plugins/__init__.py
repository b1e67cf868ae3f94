"""Patenbot's additions to the Rasa server (loaded by Rasa in ``.venv-rasa``, Python 3.10).

Nothing here may import ``bot``: that package runs on Python 3.12 in another environment.
"""
