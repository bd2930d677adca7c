import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learning_portal.settings.production")

application = get_wsgi_application()

# The URLconf imports every app's views, forms and admin modules. Django does that on the
# first request it routes, which in a rush is a request that people queue behind (a tenth
# of a fresh worker's first seconds in bench enrollment_load); loaded here instead, before
# the process takes traffic, and frozen with the rest below.
get_resolver().url_patterns  # noqa: B018 - evaluated for its imports

# What is loaded by now (Django, the apps, their modules) lives as long as the process. Moved
# out of the garbage collector's reach, it is no longer re-scanned by the full collections
# that a request allocating many objects sets off: a first search for a common word reads
# ~20k rows and paid ~10 ms for those scans (bench catalog_search).
gc.freeze()
