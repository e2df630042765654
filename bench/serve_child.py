"""Edits patched in by a running dev server, timed: `python -m bench.serve_child CONFIG EDITS`.

Holds the site as `sitegen serve` does (`sitegen.resident.ResidentBuild`: a build that keeps
its memory, then `prepare`), then edits one article at a time as `make bench` does (a sentence
added to the body; the same article twice, then others) and times each patched rebuild: from
the call with the changed file to the files live, as the server then reloads open pages; and
the state saved after it. Prints one JSON object.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    """Serve-build the site at argv[0] (config.yaml), patch argv[1] edits in; print JSON."""
    from sitegen.config import load_config
    from sitegen.resident import ResidentBuild

    from .generate import edit_article

    config_path = Path(argv[0]).resolve()
    config = load_config(config_path.parent, config_path)
    builder = ResidentBuild(config)
    started = time.perf_counter()
    first = builder.build()
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    builder.prepare()
    prepare_seconds = time.perf_counter() - started
    patches, cpu, saves, written, rendered = [], [], [], [], []
    for number in range(int(argv[1])):
        path = edit_article(config_path.parent, 1000 + number // 2)  # each article twice
        started, cpu_started = time.perf_counter(), time.process_time()
        result = builder.build([path], content_only=True)
        patches.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        if "patch" not in result.timings:
            raise SystemExit(f"bench: an edit of {path} was not patched in")
        written.append(result.write.written_count if result.write else 0)
        rendered.append(result.rendered_count)
        started = time.perf_counter()
        builder.save()
        saves.append(time.perf_counter() - started)
    print(json.dumps({
        "seconds_patch": statistics.median(patches), "cpu_patch": statistics.median(cpu), "patches": patches,
        "seconds_save": statistics.median(saves), "seconds_first_build": first_seconds,
        "seconds_prepare": prepare_seconds, "written_count": statistics.median_low(written),
        "rendered_count": statistics.median_low(rendered),
        "article_count": first.article_count, "file_count": first.file_count,
    }))
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
