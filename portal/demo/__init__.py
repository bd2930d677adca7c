"""Deterministic demo data for a hospital group: see `manage.py seed_demo`.

Split by job: `base` (sizes, the demo accounts, the seeder's state), `people`, `catalog`,
`themes` and `circles`, run in that order by `seed.demo_data_seed`; `vocabulary` holds the
names they draw from.
"""

from .base import DEMO_ACCOUNTS, DEMO_PASSWORD, SeedResult
from .seed import demo_data_exists, demo_data_seed

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "SeedResult", "demo_data_exists", "demo_data_seed"]
