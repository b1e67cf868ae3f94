"""The coordinators' console without its web pages: accounts, audit, inbox, work, figures.

Plain typed functions on the caller's session; the console's routes only call them.
"""
