"""Patenbot's additions to the Rasa server (loaded by Rasa in ``.venv-rasa``, Python 3.10).

The REST channel and tracker store, and the NLU components (``rasa_plugins.nlu``).
Nothing here may import ``bot``: that package runs on Python 3.12 in another environment.
"""
