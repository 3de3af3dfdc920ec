#!/usr/bin/env python3
"""How fast staff rebuilds are: full, parallel, no-op and one-string builds, and the
same HTML through plain WeasyPrint.

Works on a copy of the project's sources in a temporary folder (the checkout's
output/ is not touched) and runs `make_pdf.py build` as a person would, so every
figure includes Python's start-up and imports:

- full build, `--force --jobs 1`, and `--force --jobs N` (N: the cores);
- no-op build (nothing changed, default jobs) against the full default-jobs build it
  follows;
- one German string changed (the headline), default jobs: what was rebuilt and how long;
  and the translator's one-shot loop, the same edit then `build --locale de --kind poster`
  (one kind, its sizes), cold and then with the warm build server a build from the
  command line starts (publication/cli/server.py; every other build here runs without
  it, `MAKE_PDF_SERVER=0`);
- plain WeasyPrint: the HTML files `build --html` writes, rendered one after the other
  in one process with `weasyprint.HTML(filename=...).write_pdf()`, imports included,
  against the full one-job build (which also makes the print-shop files, tags, checks,
  thumbnails and the index), and against the one-job build of the same documents
  only (`--no-print-files`: one PDF per HTML file).

The full builds, the no-op build and plain WeasyPrint run in rounds (one of each per
round, `--repeat` rounds), and each ratio is the median of the rounds' ratios, printed
with its range:
on a shared machine the speed drifts by 10 to 20 % within minutes, and a ratio of two
runs minutes apart measures the drift as much as the build.

Run it when the machine is otherwise quiet (it prints the load average before and
after): `.venv/bin/python benchmarks/build_times.py [--repeat 5] [--json out.json]`.
`--one-shot` runs only the translator's one-shot loop (a first build of the copy, then
at least five edits, each followed by `build --locale de --kind poster`), in a minute or
two. The one-string figures give the processor time too (the build and its workers):
on a shared machine it moves less than the wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
COPY = ("make_pdf.py", "babel.cfg", "pyproject.toml", "publication", "styles", "content",
        "locales", "fonts")
PLAIN = """
import sys, time
start = time.perf_counter()
import weasyprint
for name in sys.argv[1:]:
    weasyprint.HTML(filename=name).write_pdf()
"""
# The warm build server (publication/cli/server.py): off for every build here but the
# one-shot loop's second half, asked of the copy's own code.
SWITCH = "MAKE_PDF_SERVER"
SERVER_READY = ("import sys; from pathlib import Path; from publication.cli import handover; "
                "sys.exit(0 if handover.ready(Path(sys.argv[1])) else 1)")
SERVER_STOP = ("import sys; from pathlib import Path; from publication.cli import handover; "
               "handover.stop(Path(sys.argv[1]))")
# The German headline: shown on the leaflet and the poster, not the petition or letter.
ONE_STRING = ("de", 'msgctxt "israel-opt/headline"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, metavar="R",
                        help="rounds of the compared builds, and runs of the others; "
                             "medians are reported (default 3)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), metavar="N",
                        help="worker processes of the parallel build (default: the cores)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument("--one-shot", action="store_true",
                        help="only the translator's one-shot loop (at least 5 runs)")
    args = parser.parse_args(argv)
    if args.one_shot:
        return one_shot(args.repeat, args.json)
    figures: dict[str, Any] = {"machine": machine(), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = copy_project(Path(tmp) / "project")
        html_root = copy_project(Path(tmp) / "html")
        print(f"warm-up build in {root} ...", flush=True)
        figures["first_build_s"] = timed(root, ["build"])
        figures["outputs"] = count_pdfs(root)
        timed(html_root, ["build", "--force", "--html"])
        pages = sorted(str(p) for p in (html_root / "output").rglob("*.html")
                       if p.name != "index.html")
        figures["plain_weasyprint_files"] = len(pages)
        # The builds compared with each other run in rounds, one of each per round, so
        # that a machine getting slower or faster (shared hosts do) moves both sides of
        # a ratio; each ratio is the median of the rounds' ratios.
        commands = {
            "full_jobs1_s": ["build", "--force", "--jobs", "1"],
            f"full_jobs{args.jobs}_s": ["build", "--force", "--jobs", str(args.jobs)],
            "accessible_jobs1_s": ["build", "--force", "--jobs", "1", "--no-print-files"],
        }
        rounds: list[dict[str, float]] = []
        for number in range(1, args.repeat + 1):
            times = {}
            for name, command in commands.items():
                times[name] = timed(root, command)
                if name == f"full_jobs{args.jobs}_s":
                    # Nothing changed since that build (default jobs, print files): the
                    # no-op build of this round, the median of three (it is short).
                    times["noop_s"] = statistics.median(timed(root, ["build"])
                                                        for _ in range(3))
            times["plain_weasyprint_s"] = run([sys.executable, "-c", PLAIN, *pages], html_root)
            print(f"  round {number}: " + ", ".join(f"{k.removesuffix('_s')} {v:.2f} s"
                                                    for k, v in times.items()), flush=True)
            rounds.append(times)
        for name in rounds[0]:
            figures[name] = statistics.median(r[name] for r in rounds)
        figures["rounds"] = rounds
        timed(root, ["build", "--force"])  # back to the default outputs
        figures["one_string"] = one_string(root, args.repeat)
        loops = one_kind_loops(root, max(args.repeat, 5))
        figures["one_string_one_kind"] = loops["cold"]
        figures["one_string_one_kind_server"] = loops["server"]
    figures["load_after"] = os.getloadavg()
    full_n = figures[f"full_jobs{args.jobs}_s"]
    figures["ratios"] = {
        "noop / full (default jobs)": [r["noop_s"] / r[f"full_jobs{args.jobs}_s"]
                                       for r in rounds],
        f"jobs {args.jobs} / jobs 1": [r[f"full_jobs{args.jobs}_s"] / r["full_jobs1_s"]
                                       for r in rounds],
        "one string / full (default jobs)": [figures["one_string"]["seconds"] / full_n],
        "full jobs 1 / plain WeasyPrint": [r["full_jobs1_s"] / r["plain_weasyprint_s"]
                                           for r in rounds],
        "same documents, jobs 1 / plain WeasyPrint":
            [r["accessible_jobs1_s"] / r["plain_weasyprint_s"] for r in rounds],
    }
    report(figures, args.jobs)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
    return 0


def one_shot(repeat: int, json_path: Path | None) -> int:
    """The translator's one-shot loop alone, on a copy built once first."""
    figures: dict[str, Any] = {"machine": machine(), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = copy_project(Path(tmp) / "project")
        print(f"first build in {root} ...", flush=True)
        figures["first_build_s"] = timed(root, ["build"])
        loops = one_kind_loops(root, max(repeat, 5))
        figures["one_string_one_kind"] = loops["cold"]
        figures["one_string_one_kind_server"] = loops["server"]
    figures["load_after"] = os.getloadavg()
    m = figures["machine"]
    print(f"\n{m['date']}, {m['cpu']}, {m['cores']} cores, Python {m['python']}, "
          f"WeasyPrint {m['weasyprint']}")
    print(f"load average before {figures['load_before'][0]:.2f}, "
          f"after {figures['load_after'][0]:.2f}")
    cold, warm = loops["cold"], loops["server"]
    print(f"  one German string, then only --locale de --kind poster "
          f"({cold['pdfs_rewritten']} PDFs rewritten): median {cold['seconds']:.2f} s "
          f"(range {min(cold['runs']):.2f} to {max(cold['runs']):.2f}), "
          f"processor {cold['cpu_seconds']:.2f} s")
    print(f"  the same with the build server: median {warm['seconds']:.2f} s "
          f"(range {min(warm['runs']):.2f} to {max(warm['runs']):.2f})")
    if json_path:
        json_path.write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
    return 0


def copy_project(root: Path) -> Path:
    """The sources a fresh clone has (fonts as `make` installs them), without output/."""
    root.mkdir(parents=True)
    for name in COPY:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, root / name)
    return root


def run(command: list[str], cwd: Path, server: bool = False) -> float:
    """Seconds `command` took; its builds without the warm build server unless `server`."""
    env = {**os.environ, SWITCH: "1" if server else "0"}
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start


def timed(root: Path, build: list[str], server: bool = False) -> float:
    return run([sys.executable, "make_pdf.py", "-q", *build], root, server)


def one_kind_loops(root: Path, repeat: int) -> dict[str, Any]:
    """The translator's one-shot loop, cold (every build loads everything) and with the
    warm build server the first build from the command line starts (waited for: a
    translator saves a string seconds after the last build, not at once)."""
    selection = ["--locale", ONE_STRING[0], "--kind", "poster"]
    figures = {"cold": one_string(root, repeat, selection)}
    timed(root, ["build", *selection], server=True)  # starts the server
    deadline = time.monotonic() + 60
    while not _server_ready(root) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        figures["server"] = one_string(root, repeat, selection, server=True)
    finally:
        _stop_server(root)
    return figures


def _server_ready(root: Path) -> bool:
    return subprocess.run([sys.executable, "-c", SERVER_READY, str(root)], cwd=root,
                          env={**os.environ, SWITCH: "1"}).returncode == 0


def _stop_server(root: Path) -> None:
    subprocess.run([sys.executable, "-c", SERVER_STOP, str(root)], cwd=root, check=True)


def one_string(root: Path, repeat: int, selection: tuple[str, ...] | list[str] = (),
               server: bool = False) -> dict[str, Any]:
    """Change the German headline (a new word each time) and rebuild (the `selection`:
    build options that choose outputs; none: every output), with the build server when
    `server` (its processor time is then not counted: the build runs in the server's
    processes, not this one's children)."""
    code, context = ONE_STRING
    po = root / "locales" / code / "LC_MESSAGES" / "messages.po"
    times, cpu, built = [], [], 0
    original = po.read_text("utf-8")
    start = original.index(context)
    msgstr_start = original.index("msgstr ", start)
    line_end = original.index("\n", msgstr_start)
    msgstr = original[msgstr_start:line_end]
    for attempt in range(repeat):
        # Its last two letters swapped, then back: a change each time, of the same length
        # (the poster's headline has little room: a longer one may not fit at all).
        changed = re.sub(r'(.)(.)"$', r'\2\1"', msgstr) if attempt % 2 == 0 else msgstr
        po.write_text(original[:msgstr_start] + changed + original[line_end:], "utf-8")
        before = {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*.pdf")}
        used = _children_cpu()
        times.append(timed(root, ["build", *selection], server))
        cpu.append(_children_cpu() - used)
        built = sum(1 for p, m in before.items() if p.stat().st_mtime_ns != m)
    processor = "" if server else \
        f" (processor {', '.join(f'{t:.2f}' for t in cpu)} s)"
    print(f"  one string{' ' if selection else ''}{' '.join(selection)}"
          f"{', build server' if server else ''}: "
          f"{', '.join(f'{t:.2f}' for t in times)} s{processor}, {built} PDFs rewritten",
          flush=True)
    return {"seconds": statistics.median(times), "runs": times,
            "cpu_seconds": None if server else statistics.median(cpu),
            "cpu_runs": None if server else cpu, "pdfs_rewritten": built,
            "message": f"{code}: {context}", "selection": list(selection),
            "server": server}


def _children_cpu() -> float:
    """Processor time (user and system) of the finished child processes, their own
    children (a build's workers) included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def count_pdfs(root: Path) -> int:
    return sum(1 for _ in (root / "output").rglob("*.pdf"))


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import weasyprint

    return {"date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
            "cpu": model, "cores": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "weasyprint": weasyprint.__version__,
            "system": platform.platform()}


def report(figures: dict[str, Any], jobs: int) -> None:
    m = figures["machine"]
    print(f"\n{m['date']}, {m['cpu']}, {m['cores']} cores, Python {m['python']}, "
          f"WeasyPrint {m['weasyprint']}")
    print(f"load average before {figures['load_before'][0]:.2f}, "
          f"after {figures['load_after'][0]:.2f}")
    print(f"{figures['outputs']} PDFs (accessible and print-shop files)")
    rows = [("full build, --jobs 1", figures["full_jobs1_s"]),
            (f"full build, --jobs {jobs}", figures[f"full_jobs{jobs}_s"]),
            ("accessible PDFs only (--no-print-files), --jobs 1", figures["accessible_jobs1_s"]),
            ("no-op build", figures["noop_s"]),
            (f"one German string ({figures['one_string']['pdfs_rewritten']} PDFs rewritten)",
             figures["one_string"]["seconds"]),
            (f"  then only --locale de --kind poster "
             f"({figures['one_string_one_kind']['pdfs_rewritten']} PDFs rewritten)",
             figures["one_string_one_kind"]["seconds"]),
            ("  the same with the build server",
             figures["one_string_one_kind_server"]["seconds"]),
            (f"plain WeasyPrint, {figures['plain_weasyprint_files']} HTML files, one process",
             figures["plain_weasyprint_s"])]
    for name, seconds in rows:
        print(f"  {name:<55} {seconds:7.2f} s")
    for name, ratios in figures["ratios"].items():
        spread = f"  (rounds: {min(ratios):.3f} to {max(ratios):.3f})" if len(ratios) > 1 else ""
        print(f"  {name:<55} {statistics.median(ratios):7.3f}{spread}")


if __name__ == "__main__":
    sys.exit(main())
