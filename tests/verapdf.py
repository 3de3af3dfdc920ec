"""veraPDF, the reference PDF/UA validator, run on PDFs from Python.

`tools/verapdf/setup.sh` (`make verapdf`) sets it up in .verapdf/: the veraPDF jar, the driver
tools/verapdf/VeraDriver.java compiled, and .verapdf/classpath. One JVM start validates every
file given (start-up is the slow part).

As a command: `python tests/verapdf.py [--flavour ua1|ua2] PATH...` validates the PDFs given
and the accessible PDFs under the folders given, prints each failing rule id with its file and
exits 0 when every one is compliant, 1 when not, 2 when veraPDF could not run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publication.kinds import NOT_FOR_READING

REPO = Path(__file__).resolve().parent.parent
HOME = REPO / ".verapdf"
SETUP = "run tools/verapdf/setup.sh (or make verapdf)"
FLAVOURS = {"ua1": "PDF/UA-1", "ua2": "PDF/UA-2"}
# The serial collector starts faster than G1 and is quicker on two cores for this work.
JVM_OPTIONS = ("-Djava.awt.headless=true", "-XX:+UseSerialGC")


class VeraPDFUnavailable(RuntimeError):
    """veraPDF cannot run here: Java, the jar or the driver is missing."""


@dataclass(frozen=True)
class Failure:
    """One rule a file broke: its id (clause-testNumber, as '7.1-3') and how often."""

    rule: str
    count: int
    description: str
    message: str = ""  # the first failed check's error message
    context: str = ""  # and where in the file it was


@dataclass(frozen=True)
class Result:
    """veraPDF's verdict on one file; `error` when it could not read the file at all."""

    file: Path
    flavour: str
    compliant: bool
    failed: tuple[Failure, ...] = ()
    error: str | None = None

    @property
    def rules(self) -> list[str]:
        return [f.rule for f in self.failed]

    def problems(self) -> list[str]:
        """One line per broken rule (or the reading error), naming the file."""
        if self.error is not None:
            return [f"{self.file}: not readable by veraPDF: {self.error}"]
        return [f"{self.file}: {FLAVOURS.get(self.flavour, self.flavour)} rule {f.rule} "
                f"failed {f.count}x: {f.description}"
                + (f" ({f.message})" if f.message and f.message != f.description else "")
                for f in self.failed]


def report(results: Iterable[Result]) -> str:
    """Each failing rule id with its file, a line each: for assertion messages."""
    return "\n".join(line for result in results for line in result.problems())


def accessible_pdfs(root: Path) -> list[Path]:
    """The accessible PDFs under `root`: not the files for printing or reviewing (the
    print-shop files, *-print.pdf, PDF/X rather than PDF/UA; the office sheets,
    *-office.pdf; the proof sheets, proof.pdf), nothing in hidden folders (.cache, .check)."""
    return sorted(path for path in root.rglob("*.pdf")
                  if not path.name.endswith(NOT_FOR_READING)
                  and not any(part.startswith(".") for part in path.relative_to(root).parts))


def classpath() -> str:
    """The driver's classpath; VeraPDFUnavailable, naming the set-up step, when it can't run."""
    if shutil.which("java") is None:
        raise VeraPDFUnavailable("veraPDF needs Java: java is not on PATH; install "
                                 f"default-jdk-headless (Debian 12: openjdk-17-jdk-headless), "
                                 f"then {SETUP}")
    listing = HOME / "classpath"
    if not (HOME / ".installed").is_file() or not listing.is_file():
        raise VeraPDFUnavailable(f"veraPDF is not set up in {HOME}: {SETUP}")
    entries = listing.read_text(encoding="utf-8").strip().split(":")
    missing = [entry for entry in entries if not Path(entry).exists()]
    if missing:
        hint = " (Debian package libjaxb-java)" if any(
            entry.startswith("/usr/share/java/") for entry in missing) else ""
        raise VeraPDFUnavailable(f"veraPDF's classpath names missing files{hint}: "
                                 f"{', '.join(missing)}; {SETUP}")
    return ":".join(entries)


def validate(paths: Sequence[Path], flavour: str = "ua1", timeout: float = 900) -> list[Result]:
    """veraPDF's verdict on each of `paths` against PDF/UA-1 ("ua1") or PDF/UA-2 ("ua2"),
    in their order, from one JVM start."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r} (have: {', '.join(FLAVOURS)})")
    if not paths:
        return []
    command = ["java", *JVM_OPTIONS, "-cp", classpath(), "VeraDriver", "--flavour", flavour,
               "--", *(str(path) for path in paths)]
    run = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                         timeout=timeout, check=False)
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    if run.returncode not in (0, 1) or len(lines) != len(paths):
        raise RuntimeError(f"veraPDF's driver exited {run.returncode} with {len(lines)} of "
                           f"{len(paths)} results; stderr:\n{run.stderr[-4000:]}")
    results = [_result(json.loads(line), path) for line, path in zip(lines, paths, strict=True)]
    if (run.returncode == 0) != all(r.compliant for r in results):
        raise RuntimeError(f"veraPDF's driver exited {run.returncode}, inconsistent with its "
                           f"results:\n{run.stdout}")
    return results


def _result(data: dict[str, Any], path: Path) -> Result:
    if data.get("file") != str(path):
        raise RuntimeError(f"veraPDF's driver answered for {data.get('file')!r}, not {path}")
    failed = tuple(Failure(str(f["rule"]), int(f["count"]), str(f.get("description", "")),
                           str(f.get("message", "")), str(f.get("context", "")))
                   for f in data.get("failed", ()))
    error = data.get("error")
    return Result(path, str(data["flavour"]), bool(data["compliant"]) and error is None,
                  failed, None if error is None else str(error))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tests/verapdf.py",
        description="veraPDF on PDFs, and on the accessible PDFs under folders "
                    "(*-print.pdf, *-office.pdf, proof.pdf and hidden folders left out)")
    parser.add_argument("--flavour", choices=sorted(FLAVOURS), default="ua1")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    args = parser.parse_args(argv)
    files: list[Path] = []
    for path in args.paths:
        if not path.exists():
            print(f"verapdf: {path}: no such file or folder", file=sys.stderr)
            return 2
        found = accessible_pdfs(path) if path.is_dir() else [path]
        if not found:
            print(f"verapdf: no accessible PDFs in {path} (build them first: make pdf)",
                  file=sys.stderr)
            return 2
        files.extend(found)
    try:
        results = validate(files, args.flavour)
    except (VeraPDFUnavailable, RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"verapdf: {error}", file=sys.stderr)
        return 2
    problems = report(results)
    if problems:
        print(problems)
    good = sum(r.compliant for r in results)
    print(f"veraPDF {FLAVOURS[args.flavour]}: {good} of {len(results)} files compliant")
    return 0 if good == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
