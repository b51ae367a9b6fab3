"""The Flask app served over real HTTP on 127.0.0.1, for fakes that call its webhooks."""

import threading

from werkzeug.serving import make_server


class LiveApp:
    """Serve APP with werkzeug's threaded server on a free loopback port."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
