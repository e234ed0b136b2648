"""Pure business rules of Tuberry.

Standard library only, no clock and no I/O: every function that depends on time takes
the moment as an argument. Import the modules directly (``tuberry.domain.schedule``,
``tuberry.domain.autoreply``, ...); this package re-exports nothing on purpose, so that
importing one rule never drags in the others.
"""
