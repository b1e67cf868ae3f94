"""Custom Rasa components, loaded by the Rasa server (Python 3.10, ``.venv-rasa``).

Nothing here imports ``bot``: the two environments share no packages.
"""
