"""Use cases, the service container and metrics: what the Telegram UI and the jobs both call."""
