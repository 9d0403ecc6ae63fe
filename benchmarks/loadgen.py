"""A small HTTP load generator: threads, each with its own keep-alive http.client connection.

Run by pages.py in a process of its own. Prints one JSON line:
{"requests": n, "seconds": t, "errors": e, "bytes": size of the last body}.
"""
from __future__ import annotations

import argparse
import http.client
import json
import threading
import time


def worker(host, port, path, headers, deadline, results, index):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    done = errors = size = 0
    while time.perf_counter() < deadline:
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status == 200:
                done += 1
                size = len(body)
            else:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()  # reopened by the next request
    connection.close()
    results[index] = (done, errors, size)


def run(host: str, port: int, path: str, seconds: float, connections: int, cookie: str | None,
        warmup: float) -> dict:
    headers = {"Cookie": cookie} if cookie else {}
    if warmup > 0:
        run(host, port, path, warmup, connections, cookie, 0)
    results = [None] * connections
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=worker, args=(host, port, path, headers, deadline, results, i))
               for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "requests": sum(r[0] for r in results),
        "errors": sum(r[1] for r in results),
        "bytes": max(r[2] for r in results),
        "seconds": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--cookie")
    args = parser.parse_args()
    print(json.dumps(run(args.host, args.port, args.path, args.seconds, args.connections, args.cookie,
                         args.warmup)))


if __name__ == "__main__":
    main()
