"""Profile: where one API write (create, transition, comment) spends its time, in process.

Run:  .venv/bin/python bench/profile_writes.py [--op create] [--count 300] [--top 30]
Prints the SQL statements of one call, the mean time per call against bench/baseline_app.py's
bare insert in the same process, and the functions with the most time (cProfile) over
``--count`` calls. Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _loadkit as kit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--op", choices=("create", "transition", "comment"), default="create")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="a pstats sort key, e.g. tottime")
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aftersales-profile-") as tmp:
        installation = kit.prepare(Path(tmp), clients=1, postgres_url=args.postgres)
        try:
            return _profile(installation, args)
        finally:
            installation.drop()


def _profile(installation: kit.Installation, args: argparse.Namespace) -> int:
    app = installation.app()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {installation.tokens[0]}"}

    def create(i: int) -> int:
        body = {
            "industry": kit.INDUSTRY,
            "service": kit.SERVICE,
            "customer_id": installation.customer_ids[i % len(installation.customer_ids)],
            "title": f"profile {i}",
            "channel": "phone",
            "attributes": {"topic": "usage", "question": f"q {i}"},
        }
        answer = client.post("/api/v1/tickets", json=body, headers=headers)
        assert answer.status_code == 201, answer.get_data(as_text=True)
        return answer.get_json()["id"]

    # transitions and comments work on tickets made beforehand, one call per ticket
    made = [] if args.op == "create" else [create(i) for i in range(2 * args.count + 30)]

    def transition(i: int) -> int:
        path = f"/api/v1/tickets/{made[i]}/transitions"
        answer = client.post(path, json={"to": kit.NEXT_STATUS["new"]}, headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return made[i]

    def comment(i: int) -> int:
        path = f"/api/v1/tickets/{made[i]}/comments"
        answer = client.post(path, json={"text": f"备注 {i}"}, headers=headers)
        assert answer.status_code == 201, answer.get_data(as_text=True)
        return made[i]

    call = {"create": create, "transition": transition, "comment": comment}[args.op]
    for i in range(20):  # warm caches
        call(i)
    statements: list[str] = []
    handler = _Collect(statements)
    logger = logging.getLogger("peewee")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    call(20)
    logger.removeHandler(handler)
    logger.setLevel(logging.WARNING)
    print(f"SQL statements in one {args.op}: {len(statements)}")
    for sql in statements:
        print("  ", sql[:150])
    started = time.perf_counter()
    for i in range(args.count):
        call(30 + i)
    plain = (time.perf_counter() - started) / args.count * 1000
    bare = _bare_insert_ms(installation.database_url, args.count)
    print(
        f"\nper {args.op} {plain:.2f} ms unprofiled; a bare Flask+peewee insert "
        f"{bare:.2f} ms in the same process: ratio {bare / plain:.3f}"
    )
    started = time.perf_counter()
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(args.count):
        call(30 + args.count + i)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"\n{args.count} calls: {elapsed / args.count * 1000:.2f} ms each (profiled)")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


def _bare_insert_ms(database_url: str, count: int) -> float:
    """bench/baseline_app.py's endpoint through the Flask test client, on its own table."""
    import importlib
    import os

    os.environ["BASELINE_DATABASE_URL"] = database_url
    baseline = importlib.import_module("bench.baseline_app")
    client = baseline.app.test_client()
    for i in range(20):
        client.post("/items", json={"title": f"warm {i}"})
    started = time.perf_counter()
    for i in range(count):
        assert client.post("/items", json={"title": f"bare {i}"}).status_code == 201
    return (time.perf_counter() - started) / count * 1000


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple):  # (sql, params); not the pool's own messages
            self.into.append(str(record.msg))


if __name__ == "__main__":
    raise SystemExit(main())
