"""The ``python -m bot`` commands."""
