from tests.core.faults import broker_at, fresh_breakers, frozen_server  # noqa: F401 - fixtures
