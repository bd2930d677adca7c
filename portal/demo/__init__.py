"""Deterministic demo data for a hospital group: see `manage.py seed_demo`."""

from .seed import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    SeedResult,
    demo_data_exists,
    demo_data_seed,
)

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "SeedResult", "demo_data_exists", "demo_data_seed"]
