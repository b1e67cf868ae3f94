"""Supervision: start, watch, restart and stop the Rasa servers and the action server.

``supervisor.py`` owns the processes for as long as the front end runs; ``children.py``
starts and stops one process (its own session, death with the parent), ``servers.py``
says what the servers are started with, ``restarts.py`` when a stopped one is started
again, ``probes.py`` whether one answers, and ``stopping.py`` how a stop signal ends
the front end (within the grace period) before the servers.
"""
