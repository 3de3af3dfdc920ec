"""N local groups' imprinted sets through Celery and a real Redis, with 1 and with 2
worker processes: PDFs per second, the 2-worker speed-up, each worker's memory over the
run (resident set, sampled from /proc), and the cost of one more group's set once warm.

    .venv/bin/python benchmarks/scale.py --groups 10 --locale de --locale en

Each group has its own details, so every set is really made (no cache hits); every set
is leaflet A4 and poster A3 with their print-shop files (4 PDFs per language). Say the
machine's load with the figures: other work on the cores slows both runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publication.model import Project  # noqa: E402
from publication.serve.app import project_version  # noqa: E402
from publication.serve.queue import CeleryQueue  # noqa: E402
from publication.serve.sets import SetSpec  # noqa: E402
from tests.webapp import celery_worker, redis_server  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def spec(number: int, locales: tuple[str, ...], version: str, run: str) -> SetSpec:
    text = (f'name: "Gruppe {run} {number}"\nmeeting: "Jeden Dienstag, 19 Uhr"\n'
            f'contact:\n  email: "gruppe{number}@example.org"\nslug: "gruppe-{number}"\n')
    return SetSpec("israel-opt", locales, ("leaflet", "poster"), ("a4", "a3"), text, version)


def rss_of_children(pid: int) -> dict[int, int]:
    """Resident memory (bytes) of every descendant of `pid` (the pool's processes)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == pid:
                found[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return found


def run(broker: str, workers: int, groups: int, locales: tuple[str, ...], version: str,
        ) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store"
        if True:  # one Redis for both runs: Celery keeps its first broker's connections
            queue = CeleryQueue(broker, store)
            with celery_worker(broker, store, max_tasks=50, concurrency=workers) as worker:
                # Warm up: one set per worker process, not counted.
                warm = [spec(1000 + i, locales, version, f"warm{workers}") for i in range(workers)]
                for item in warm:
                    queue.submit(item)
                for item in warm:
                    queue.wait(item.key, 600)
                samples: dict[int, list[int]] = {}
                stop = threading.Event()

                def sample() -> None:
                    while not stop.wait(0.5):
                        for child, rss in rss_of_children(worker.pid).items():
                            samples.setdefault(child, []).append(rss)

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                specs = [spec(i, locales, version, f"run{workers}") for i in range(groups)]
                start = time.perf_counter()
                for item in specs:
                    queue.submit(item)
                pdfs = 0
                for item in specs:
                    result = queue.wait(item.key, 3600)
                    assert result.ok, result.outcomes
                    pdfs += len(result.files)
                seconds = time.perf_counter() - start
                stop.set()
                sampler.join()
                one = spec(9999, locales, version, f"one{workers}")
                start = time.perf_counter()
                queue.submit(one)
                extra = queue.wait(one.key, 600)
                one_seconds = time.perf_counter() - start
            queue.close()
    memory = {str(pid): {"min_mb": round(min(v) / 1e6), "max_mb": round(max(v) / 1e6)}
              for pid, v in samples.items() if len(v) > 2}
    return {"workers": workers, "groups": groups, "pdfs": pdfs, "seconds": round(seconds, 2),
            "pdfs_per_second": round(pdfs / seconds, 3), "memory": memory,
            "one_more_set_seconds": round(one_seconds, 2),
            "one_more_set_pdfs": len(extra.files)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--locale", action="append", default=[])
    args = parser.parse_args()
    locales = tuple(args.locale or ["de", "en"])
    version = project_version(Project(REPO))
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder, redis_server(Path(folder)) as broker:
        results = [run(broker, n, args.groups, locales, version) for n in (1, 2)]
    speedup = results[1]["pdfs_per_second"] / results[0]["pdfs_per_second"]  # type: ignore[operator]
    print(json.dumps({"load_before": load, "load_after": os.getloadavg(),
                      "cores": os.cpu_count(), "locales": locales, "runs": results,
                      "speedup_2_workers": round(speedup, 2)}, indent=1))


if __name__ == "__main__":
    main()
