"""The server of `circulars serve`: MkDocs' live-reload server, and a page that says what is wrong.

A rebuild that fails (a YAML error, a broken mkdocs.yml) would leave MkDocs'
server waiting for a build that never comes, and every browser spinning. The
rebuild reports the failure instead (LiveBuild.rebuild): the browsers reload,
and while it lasts every page is the error (file:line:column and message, as
`circulars check` prints it); the next good rebuild reloads them onto the site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from mkdocs.livereload import LiveReloadServer
from watchdog.events import FileSystemEventHandler

from . import escaping

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The site could not be rebuilt</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}}
pre{{white-space:pre-wrap;background:#fdecea;border-left:4px solid #c62828;padding:1rem}}</style></head>
<body><h1>The site could not be rebuilt</h1>
<p>Fix the file named below and save it: this page reloads when the site is rebuilt.</p>
<pre class="build-error">{message}</pre>
</body></html>
"""


def error_page(message: str) -> bytes:
    """The page shown while a rebuild fails; the message is text, HTML-escaped."""
    return PAGE.format(message=escaping.html(message)).encode("utf-8")


class LiveServer(LiveReloadServer):
    """Serves the site, or the error page while `error()` says the last rebuild failed."""

    def __init__(self, *args, error: Callable[[], str | None], **kwargs):
        super().__init__(*args, **kwargs)
        self.error = error

    def on_new_folder(self, parent: Path, then: Callable[[], None]) -> None:
        """When a folder appears in `parent`, call `then` (which watches it) and rebuild: the
        files made in it before it was watched are read by that rebuild."""

        def appeared(event) -> None:
            if event.is_directory and event.event_type in ("created", "moved"):
                then()
                with self._rebuild_cond:  # as a change in a watched folder does
                    self._want_rebuild = True
                    self._rebuild_cond.notify_all()

        handler = FileSystemEventHandler()
        handler.on_any_event = appeared
        self.observer.schedule(handler, str(parent), recursive=False)

    def _serve_request(self, environ, start_response) -> Iterable[bytes] | None:
        path = environ["PATH_INFO"]
        message = self.error()
        if message is None or path.startswith("/livereload/") or not path.endswith(("/", ".html")):
            return super()._serve_request(environ, start_response)
        with self._epoch_cond:  # the page reloads when a later build is done
            epoch = self._visible_epoch
        content = self._inject_js_into_html(error_page(message), epoch)
        start_response(
            "500 Internal Server Error",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(content)))],
        )
        return [content]
