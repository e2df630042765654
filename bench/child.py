"""One timed build in a process of its own: `python -m bench.child CONFIG [JOBS]`.

Prints one JSON object: the BuildResult's counts and stage timings. The parent measures wall
time, CPU time and memory, and (after this process has exited, untimed) the search files' sizes.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    """Build the site at argv[0] (config.yaml) with argv[1] jobs; print the result as JSON."""
    started = time.perf_counter()
    from sitegen.build import build  # imported inside the timing: an edit-and-rebuild pays for it
    from sitegen.config import load_config

    config_path = Path(argv[0]).resolve()
    config = load_config(config_path.parent, config_path)
    kwargs = {"jobs": int(argv[1])} if len(argv) > 1 else {}
    result = build(config, **kwargs)
    elapsed = time.perf_counter() - started
    write = result.write
    print(json.dumps({
        "seconds_in_process": elapsed,
        "seconds_build": result.seconds,
        "article_count": result.article_count,
        "page_count": result.page_count,
        "file_count": result.file_count,
        "written_count": write.written_count if write else 0,
        "unchanged_count": write.unchanged_count if write else 0,
        "timings": result.timings,
    }))
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # as the `sitegen` command ends (see `sitegen.cli.exit_now`)
