"""Registrations: form fields, use cases, the coordinators' work and the export."""
