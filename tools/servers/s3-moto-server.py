"""moto_server with atomic conditional writes.

moto 5.2.5 checks `If-None-Match: *` / `If-Match` and then stores the object without
holding a lock (moto/s3/responses.py put_object and the CompleteMultipartUpload branch).
When a body exceeds moto's in-memory buffer (5 MiB) the store spills to disk, releasing
the GIL between check and store, and 16 racing conditional PUTs then see several 200s.
AWS S3 documents these writes as atomic, and commits stand on that, so this launcher
runs each conditional PUT/POST under one process-wide lock (bodies are read before the
lock is taken, so a slow client never blocks the others). Everything else is moto as is:
`python s3-moto-server.py -H 127.0.0.1 -p PORT` takes moto_server's arguments.
"""
import io
import sys
import threading

from moto import server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.wsgi import get_input_stream

_commit_lock = threading.Lock()


class _AtomicConditionalWrites(DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        conditional = environ.get("REQUEST_METHOD") in ("PUT", "POST") and (
            "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MATCH" in environ
        )
        if not conditional:
            return super().__call__(environ, start_response)
        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        with _commit_lock:
            # the response is materialized inside the lock: moto stores while building it
            out = list(super().__call__(environ, start_response))
        return out


server.DomainDispatcherApplication = _AtomicConditionalWrites

if __name__ == "__main__":
    server.main(sys.argv[1:])
