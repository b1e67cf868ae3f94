"""The coordinators' console under ``/office/`` of the web server (issue 13)."""
