import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learning_portal.settings.production")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, their modules) lives as long as the process. Moved
# out of the garbage collector's reach, it is no longer re-scanned by the full collections
# that a request allocating many objects sets off: a first search for a common word reads
# ~20k rows and paid ~10 ms for those scans (bench catalog_search).
gc.freeze()
