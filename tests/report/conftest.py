"""The report tests read run stores that the runner's fixtures write."""

from tests.runner.conftest import rs_store  # noqa: F401  (a session fixture, shared)
