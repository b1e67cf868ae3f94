"""Patenbot: a multilingual assistant that recruits volunteer mentors for children and families."""
