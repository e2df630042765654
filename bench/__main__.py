"""`make bench`: time sitegen on synthetic archives of 1,000 and 10,000 articles.

For each size: a cold build (no output, no cache), a no-op rebuild, a rebuild after editing one
article and one after adding one. Each build runs in a child process, so CPU time and memory
are that build's own: CPU time and the largest process's peak RSS come from `wait4`, and the
whole process tree's memory (PSS, which counts pages shared by forked workers once) is sampled
every 200 ms. Then `serve edit`: a process holding the site as `sitegen serve` does patches
edits in (`bench.serve_child`); its wall and CPU are the median edit's, from the changed file to
the files live, and its memory is the serving process's. Prints a table and writes JSON to
bench/results/.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .generate import add_article, edit_article, generate_archive, write_config

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
GENERATOR_VERSION = "1"  # bump when generate.py changes what it writes
SCENARIOS = ("cold", "no-op", "edit one", "add one", "serve edit")
SERVE_EDITS = 6  # edits patched in by the serving process (three articles, each twice)


@dataclass
class Run:
    """One build, as measured from outside and reported from inside."""

    size: int
    scenario: str
    wall: float  # seconds, child process start to exit (includes Python start-up and imports)
    cpu: float  # user + system seconds of the child and every worker it waited for
    max_rss_mb: float  # peak RSS of the largest single process
    tree_pss_mb: float  # peak of the summed PSS of the child and its workers (sampled)
    report: dict = field(default_factory=dict)  # bench.child's JSON

    @property
    def pages_per_second(self) -> float:
        """Pages of the site over wall time."""
        return self.report.get("page_count", 0) / self.wall if self.wall else 0.0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(self.pid)))
            self.done.wait(self.interval)


def _tree(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    queue.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_build(size: int, scenario: str, config: Path, jobs: int | None) -> Run:
    """Build the site of `config` in a child process and measure it.

    Linux carries a process's peak RSS across `exec`, so a child's `ru_maxrss` is at least what
    this process held when it started it: this process must stay smaller than any build (it
    once held every search file at once, and a no-op of 100,000 articles showed 921 MB)."""
    return _measured(size, scenario, [sys.executable, "-m", "bench.child", str(config)] + ([str(jobs)] if jobs else []))


def run_serve(size: int, config: Path) -> Run:
    """Edits patched in by a process that holds the site as `sitegen serve` does (see
    `bench.serve_child`): the median edit's wall and CPU time, the process's memory."""
    run = _measured(size, "serve edit", [sys.executable, "-m", "bench.serve_child", str(config), str(SERVE_EDITS)])
    report = run.report
    run.wall, run.cpu = report["seconds_patch"], report["cpu_patch"]
    report["seconds_build"] = report["seconds_patch"]
    report["timings"] = {"patch": report["seconds_patch"], "then save": report["seconds_save"],
                         "held after a build of": report["seconds_first_build"], "prepare": report["seconds_prepare"]}
    return run


def _measured(size: int, scenario: str, command: list[str]) -> Run:
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=HERE.parent)
    sampler = TreeMemory(child.pid)
    sampler.start()
    stdout, stderr = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"bench: {scenario} build of {size} articles failed:\n{stderr.decode()[-3000:]}")
    report = json.loads(stdout.decode().strip().splitlines()[-1])
    return Run(size, scenario, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
               sampler.peak_kb / 1024, report)


def search_sizes(out: Path) -> dict[str, int]:
    """Raw and gzip bytes of the search data in the output folder (search/ and lunr.js).

    Measured by this process after the build's process has exited, so compressing tens of
    megabytes is not charged to the build's wall time, CPU time or memory; one file at a time,
    so this process stays small (see `run_build`)."""
    from sitegen.search import search_file_sizes

    paths = [path for path in (out / "search").rglob("*") if path.is_file()]
    paths += [path for path in [out / "static" / "lunr.min.js"] if path.is_file()]
    return search_file_sizes((path.relative_to(out).as_posix(), path.read_bytes()) for path in paths)


def corpus(scratch: Path, size: int, seed: int) -> Path:
    """A generated archive of `size` articles, made once and kept in `scratch`."""
    folder = scratch / f"corpus-{size}-seed{seed}-v{GENERATOR_VERSION}"
    stamp = folder / ".complete"
    if not stamp.exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate_archive(folder, size, seed)
        stamp.touch()
    return folder


def fresh_copy(source: Path, target: Path) -> Path:
    """`target` as a copy of the generated archive, without any build output or cache."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source / "content", target / "content")
    write_config(target)
    return target


def bench_size(size: int, args: argparse.Namespace) -> list[Run]:
    """Every scenario for one archive size."""
    site = fresh_copy(corpus(args.scratch, size, args.seed), args.scratch / f"site-{size}")
    config = site / "config.yaml"
    runs = []
    colds = []
    for _ in range(args.repeat):
        for leftover in (site / "build", site / ".sitegen-cache"):
            shutil.rmtree(leftover, ignore_errors=True)
        colds.append(run_build(size, "cold", config, args.jobs))
    colds.sort(key=lambda run: run.wall)
    runs.append(colds[len(colds) // 2])
    runs[0].report["search"] = search_sizes(site / "build")  # the cold build's output, as it still is
    runs.append(run_build(size, "no-op", config, args.jobs))
    edit_article(site)
    runs.append(run_build(size, "edit one", config, args.jobs))
    add_article(site, args.seed)
    runs.append(run_build(size, "add one", config, args.jobs))
    runs.append(run_serve(size, config))
    if args.verify:
        verify_identical(site, args)
    for run in runs:
        print(format_row(run), flush=True)
    print(format_sizes(size, runs[0], site / "build"), flush=True)
    return runs


def verify_identical(site: Path, args: argparse.Namespace) -> None:
    """Fail unless a cold build of the final content equals the incrementally built output."""
    twin = args.scratch / f"{site.name}-cold"
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(site / "content", twin / "content")
    write_config(twin)
    run_build(0, "verify", twin / "config.yaml", args.jobs)
    result = subprocess.run(["diff", "-r", "-q", str(site / "build"), str(twin / "build")],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"bench: incremental output differs from a cold build:\n{result.stdout[:3000]}")
    print(f"verified: incremental output of {site.name} equals a cold build", flush=True)
    shutil.rmtree(twin, ignore_errors=True)


HEADER = (f"{'articles':>8} {'scenario':<10} {'wall s':>7} {'build s':>7} {'CPU s':>7} {'RSS MB':>7} "
          f"{'PSS MB':>7} {'pages/s':>8} {'written':>7}  stages (s)")


def format_row(run: Run) -> str:
    """One table row."""
    report = run.report
    stages = " ".join(f"{name} {seconds:.2f}" for name, seconds in report.get("timings", {}).items())
    return (f"{run.size:>8,} {run.scenario:<10} {run.wall:>7.2f} {report.get('seconds_build', 0):>7.2f} "
            f"{run.cpu:>7.2f} {run.max_rss_mb:>7.0f} {run.tree_pss_mb:>7.0f} {run.pages_per_second:>8.0f} "
            f"{report.get('written_count', 0):>7}  {stages}")


def format_sizes(size: int, cold: Run, out: Path) -> str:
    """Page count, output size and the search files' sizes of one archive."""
    total = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    search = cold.report.get("search", {})
    parts = ", ".join(f"{key} {value / 1e6:.2f} MB" if key.endswith(("_raw", "_gzip", "raw", "gzip"))
                      else f"{key} {value:,}" for key, value in search.items())
    return (f"{size:>8,} articles: {cold.report.get('page_count', 0):,} pages, "
            f"{cold.report.get('file_count', 0):,} files, output {total / 1e6:.1f} MB; search: {parts}")


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpu": model, "cores": str(os.cpu_count()), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table; write JSON to bench/results/."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="archive sizes, comma-separated")
    parser.add_argument("--huge", action="store_true", help="also 100,000 articles (several minutes)")
    parser.add_argument("--jobs", type=int, help="passed to the build (default: its own default)")
    parser.add_argument("--repeat", type=int, default=1, help="cold builds per size; the median is shown")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verify", action="store_true",
                        help="check the incremental output against a cold build of the same content")
    parser.add_argument("--scratch", type=Path, default=Path("/dev/shm/sitegen-bench")
                        if Path("/dev/shm").is_dir() else Path("/tmp/sitegen-bench"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([100_000] if args.huge else [])
    args.scratch.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"sitegen bench {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {info['cpu']}, "
          f"{info['cores']} cores, Python {info['python']}; scratch {args.scratch}")
    print(HEADER, flush=True)
    runs = [run for size in sizes for run in bench_size(size, args)]
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps({"machine": info, "jobs": args.jobs, "seed": args.seed,
                                "runs": [asdict(run) | {"pages_per_second": run.pages_per_second} for run in runs]},
                               indent=2))
    print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
