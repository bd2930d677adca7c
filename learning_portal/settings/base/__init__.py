"""Settings common to every environment, split by job.

Values that differ between environments come from the environment (django-environ). The
embedded defaults that let a newcomer run the portal with nothing installed (SQLite, a
local-memory cache, Celery in eager mode, emails on the console) are `local.py`'s, which the
tests share; `production.py` requires every service. A new setting goes into the module of
its job (a feature's own setting: `features.py`, under the app's heading).
"""

from .accounts import *  # noqa: F403
from .cache import *  # noqa: F403
from .celery import *  # noqa: F403
from .core import *  # noqa: F403
from .features import *  # noqa: F403
from .security import *  # noqa: F403
