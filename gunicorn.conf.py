"""gunicorn reads this file from the working directory: access logs never show credentials."""

logger_class = "learning_portal.core.logging.RedactingGunicornLogger"
