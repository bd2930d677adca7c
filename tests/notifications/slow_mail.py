"""A mail sink for tests that run a real worker: one file per message, a little slow.

The delay stands in for an SMTP round trip, so that a worker killed during a fan-out is
killed while it is sending, as in production.
"""

import os
import time

from django.core.mail.backends import filebased


class SlowFileBackend(filebased.EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("TEST_EMAIL_DELAY", "0.005")))
        return super().send_messages(email_messages)
