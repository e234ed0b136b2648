"""The deployment tests drive real processes with the fixtures of `tuberry run`'s end-to-end test."""

from tests.test_tuberry_run import installation  # noqa: F401  (a pytest fixture, used by name)
