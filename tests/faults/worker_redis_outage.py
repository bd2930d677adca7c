"""Fault script: does a Celery worker survive repeated Redis outages?

Starts a Redis of its own (127.0.0.1:18460) and a worker of the project in PROJECT_DIR, then
ROUNDS times kills Redis with SIGKILL, leaves it down 1-5 s and starts it again, sending a
task after each return. Prints whether the worker is still running, how many of the tasks it
ran, and any "Unrecoverable error" from its log.

    .venv/bin/python tests/faults/worker_redis_outage.py [--rounds 8] [--project DIR]
        [--worker-args "--without-gossip --without-mingle --without-heartbeat"] [--pool solo]
"""

import argparse
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PORT = 18460
ROOT = Path(__file__).resolve().parent.parent.parent


def start_redis() -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(50):
        if subprocess.run(["redis-cli", "-p", str(PORT), "ping"], capture_output=True).stdout:
            return process
        time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--project", default=str(ROOT))
    parser.add_argument("--worker-args", default="")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pool", default="prefork", help="prefork (production) or solo")
    args = parser.parse_args()
    random.seed(args.seed)
    marker_dir = Path(tempfile.mkdtemp(prefix="worker-outage-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "learning_portal.settings.test",
        "REDIS_URL": f"redis://127.0.0.1:{PORT}/0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    redis_server = start_redis()
    log_path = marker_dir / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115 - kept open for the worker's lifetime
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "learning_portal", "worker", "--pool", args.pool,
         "--concurrency", "2", "--loglevel", "INFO", *shlex.split(args.worker_args)],
        cwd=args.project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    time.sleep(6)
    sent = 0
    survived_rounds = 0
    try:
        for round_number in range(1, args.rounds + 1):
            redis_server.kill()
            redis_server.wait()
            time.sleep(random.uniform(1, 5))
            redis_server = start_redis()
            time.sleep(random.uniform(2, 6))
            if worker.poll() is not None:
                print(f"round {round_number}: the worker has exited (code {worker.returncode})")
                break
            survived_rounds = round_number
            # A task per round, published from a separate process (the web's role).
            subprocess.run(
                [sys.executable, "-c",
                 "import django; django.setup(); from catalog.tasks import "
                 "refresh_catalog_index as t; t.apply_async(retry=False)"],
                cwd=args.project, env=env, check=False, capture_output=True,
            )  # fmt: skip
            sent += 1
        time.sleep(8)
    finally:
        alive = worker.poll() is None
        if alive:
            worker.terminate()
            worker.wait(timeout=30)
        redis_server.kill()
        log.close()
    text = log_path.read_text()
    ran = text.count("catalog.tasks.refresh_catalog_index") // 2
    fatal = [line for line in text.splitlines() if "Unrecoverable error" in line]
    print(
        f"worker args {args.worker_args or '(none)'}: {survived_rounds}/{args.rounds} outages "
        f"survived, alive at the end: {alive}, tasks sent after outages {sent}, "
        f"task log lines {ran}"
    )
    for line in fatal:
        print("  " + line)
    return 0 if alive and not fatal else 1


if __name__ == "__main__":
    sys.exit(main())
