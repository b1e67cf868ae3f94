"""Custom actions of Patenbot, served by the action server (``python -m bot action-server``)."""
