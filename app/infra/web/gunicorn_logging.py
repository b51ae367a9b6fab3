"""gunicorn's logger with every access and error line redacted (keys out, phones masked).

gunicorn.conf.py names it as `logger_class`. The access log writes the request line with its
query string, where an Open311 `api_key` or a `phone` would otherwise land in full.
"""

import logging

from gunicorn.glogging import Logger

from app.infra import logs


class RedactingLogger(Logger):
    """gunicorn.glogging.Logger whose handlers redact each formatted line."""

    def setup(self, cfg):
        super().setup(cfg)
        logs.install(self.error_log)
        logs.install(self.access_log)
        root = logging.getLogger()
        if not root.handlers:
            # The app's own warnings go to gunicorn's error log, through the same filter.
            for handler in self.error_log.handlers:
                root.addHandler(handler)
