"""The conversation core shared by every channel: conversation service, Rasa client, payloads."""
