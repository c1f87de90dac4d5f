"""HTTP server of the custom scoring image: the online endpoint's scoring code (serve.py) outside Azure ML.

The image (Dockerfile beside this file) holds this server, serve.py and pixel_model.py from
pipelines/steps/bad_pixels, and the promoted model version under /model/<name>/<version>, so the
scoring logic is the one Azure ML serves; only the HTTP layer differs.

  GET  /health  200 {"status": "ok", "model": {"name": ..., "version": ...}}
  POST /score   the request body of serve.py; 200 with its answer, 400 naming every problem,
                413 above MAX_BODY bytes, 404 elsewhere

Environment: AZUREML_MODEL_DIR (the model folder, set by the image), HOST (default 0.0.0.0), PORT
(default 8080).
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import serve

MAX_BODY = 16 * 1024 * 1024


class ScoringHandler(BaseHTTPRequestHandler):
    server_version = "custom-scoring/1"

    def _answer(self, status, body):
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path != "/health":
            self._answer(404, {"error": f"no route {self.path}"})
            return
        self._answer(200, {"status": "ok", "model": serve.identity})

    def do_POST(self):
        if self.path != "/score":
            self._answer(404, {"error": f"no route {self.path}"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._answer(413, {"error": f"body is {length} bytes, more than {MAX_BODY}"})
            return
        result = serve.run(self.rfile.read(length))
        # Outside the Azure ML inference server, serve.run reports a bad request as a dict with status 400.
        if isinstance(result, dict) and result.get("status") == 400:
            self._answer(400, {"error": result["error"]})
            return
        self._answer(200, result)

    def log_message(self, format, *args):  # one line per request on stdout (Container Apps collects it)
        print(f"{self.address_string()} {format % args}", flush=True)


def main():
    serve.init()
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8080"))), ScoringHandler)
    print(f"serving {serve.identity} on {server.server_address[0]}:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
