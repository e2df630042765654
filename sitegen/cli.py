"""Command line: arguments, subcommands, printing problems, exit codes.

The only module that prints or exits.
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import signal
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .build import build
from .config import Config, load_config, with_folders
from .errors import ContentError, Problem, SitegenError, quote, summarise
from .importer.sources import FORMATS
from .results import BuildResult

# What only some commands need (Markdown, the model, the importer, the server) is imported by
# them: a `sitegen build` that finds nothing to do is done before most of sitegen has loaded.

if TYPE_CHECKING:
    from .serve import RebuildReport

WARNING_REPEAT_LIMIT = 5  # one warning message repeated more often than this is summarised


def make_parser() -> argparse.ArgumentParser:
    """The argument parser for `sitegen`."""
    parser = argparse.ArgumentParser(prog="sitegen", description="Build an offline, searchable news archive.")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks for internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in (("build", "build the site into the output folder"),
                            ("check", "validate content and config without writing anything")):
        command = commands.add_parser(name, help=help_text, description=help_text)
        _add_site_options(command)
        command.add_argument("--keep-going", action="store_true",
                             help="skip files with errors (listing them) instead of failing")
        command.add_argument("--quiet", "-q", action="store_true", help="print problems only")
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="show full tracebacks for internal errors")
        if name == "build":
            command.add_argument("--jobs", "-j", type=_positive, metavar="N",
                                 help="processes to render with (default: one per core)")
    _add_serve_parser(commands)
    _add_terms_parser(commands)
    _add_import_parser(commands)
    return parser


def _add_import_parser(commands: argparse._SubParsersAction) -> None:
    help_text = "turn raw articles (plain text, saved web pages, JSON Lines) into content files"
    command = commands.add_parser("import", help=help_text, description=help_text)
    command.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders to import")
    command.add_argument("--config", type=Path, help="config file (default: ./config.yaml)")
    command.add_argument("--into", type=Path, help="content folder to write into (default: content_dir)")
    command.add_argument("--format", choices=FORMATS, help="read every file as this (default: by extension)")
    command.add_argument("--source", default="", metavar="NAME", help="the publication, e.g. 'The Independent'")
    command.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="date of articles that give none")
    command.add_argument("--title", default="", metavar="TEXT", help="headline of articles that have none")
    command.add_argument("--topic", action="append", default=[], metavar="NAME",
                         help="add this topic to every article (repeat for more)")
    command.add_argument("--image-lines", type=int, default=0, metavar="N",
                         help="text files open with N image lines: 1 = alt text, 2 = alt text then a "
                              "caption whose last word is the photo credit")
    command.add_argument("--map", default="", metavar="FIELD=NAME,...",
                         help="JSON Lines field names, e.g. title=headline,date=pub_date,body=text")
    command.add_argument("--dry-run", action="store_true", help="report what would be imported; write nothing")
    command.add_argument("--review", action="store_true", help="show the tags proposed for each article")
    command.add_argument("--update", action="store_true",
                         help="rewrite earlier imports of the same text (never files edited since)")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more, e.g. --jobs 2")
    return int(text)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2015-01-16") from None


def _add_terms_parser(commands: argparse._SubParsersAction) -> None:
    help_text = "list every term with its count and files, likely duplicates, and unused data entries"
    command = commands.add_parser("terms", help=help_text, description=help_text)
    _add_site_options(command)
    command.add_argument("--taxonomy", action="append", default=[], metavar="NAME",
                         help="only this taxonomy (repeat for more)")
    command.add_argument("--keep-going", action="store_true", help="skip files with errors instead of failing")


def _add_serve_parser(commands: argparse._SubParsersAction) -> None:
    help_text = "build, serve on localhost, and rebuild and reload open pages on every change"
    command = commands.add_parser("serve", help=help_text, description=help_text)
    _add_site_options(command)
    command.add_argument("--port", type=int, default=8000,
                         help="port to listen on (default: 8000; 0 picks a free one)")
    command.add_argument("--host", default="127.0.0.1",
                         help="address to listen on (default: 127.0.0.1, this machine only)")
    command.add_argument("--no-watch", dest="watch", action="store_false",
                         help="serve the build without watching for changes")
    command.add_argument("--poll", action="store_true",
                         help="check for changes by polling (for network or container file systems)")
    command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show full tracebacks for internal errors")


def _add_site_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--config", type=Path, help="config file (default: ./config.yaml)")
    command.add_argument("--content", type=Path, help="content folder (overrides content_dir)")
    command.add_argument("--out", type=Path, help="output folder (overrides output_dir)")


def read_config(args: argparse.Namespace) -> Config:
    """The config named on the command line, with --content / --out applied."""
    root = (args.config.parent if args.config else Path.cwd()).resolve()
    config = load_config(root, args.config)
    return with_folders(config, content_dir=getattr(args, "content", None), output_dir=getattr(args, "out", None))


def print_problems(problems: Sequence[Problem]) -> None:
    """Every problem sorted by file and line; warnings repeated too often are summarised."""
    repeats = Counter(p.message for p in problems if p.is_warning)
    shown: Counter[str] = Counter()
    for problem in sorted(problems):
        if problem.is_warning and repeats[problem.message] > WARNING_REPEAT_LIMIT:
            shown[problem.message] += 1
            if shown[problem.message] > WARNING_REPEAT_LIMIT:
                continue
        print(problem.format(), file=sys.stderr)
    for message, count in repeats.items():
        if count > WARNING_REPEAT_LIMIT:
            print(f"warning: {count - WARNING_REPEAT_LIMIT} more like: {message}", file=sys.stderr)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rrendering {done}/{total} pages", end=end, file=sys.stderr, flush=True)


def _command_build(args: argparse.Namespace) -> int:
    config = read_config(args)
    result = build(config, keep_going=args.keep_going, progress=None if args.quiet else _progress, jobs=args.jobs)
    _report(result, args)
    if not args.quiet:
        write = result.write
        changed = f", {write.written_count} changed" if write else ""
        print(f"built {_plural(result.article_count, 'article')} into {result.page_count} pages "
              f"({result.file_count} files{changed}) in {result.seconds:.2f} s -> {config.output_dir}")
    if result.skipped_sources:  # like `make -k`: the rest was built, but errors are still errors
        print(summarise(result.problems, changed=True) + "; those files were left out", file=sys.stderr)
        return 1
    return 0


def _command_check(args: argparse.Namespace) -> int:
    from .check import check_site

    config = read_config(args)
    result = BuildResult()
    check_site(config, keep_going=args.keep_going, result=result)
    _report(result, args)
    if result.skipped_sources:
        print(summarise(result.problems, changed=True) + "; nothing written", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"ok: {_plural(result.article_count, 'article')}, {_plural(result.page_count, 'page')} "
              "planned; nothing written")
    return 0


def _command_terms(args: argparse.Namespace) -> int:
    from .check import check_site
    from .entities import load_entities, unused_entry_warnings
    from .terms_report import terms_report

    config = read_config(args)
    known = [t.name for t in config.taxonomies]
    for name in args.taxonomy:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise SitegenError(f"no taxonomy {quote(name)} in {config.source}; {hint}taxonomies: {', '.join(known)}")
    result = BuildResult()
    plan = check_site(config, keep_going=args.keep_going, result=result)
    unused = unused_entry_warnings(load_entities(config)[0], plan.site)
    listed = set(unused)
    print_problems([p for p in result.problems if p not in listed])
    print("\n".join(terms_report(plan.site, unused, args.taxonomy)))
    return 0


def _report(result: BuildResult, args: argparse.Namespace) -> None:
    print_problems(result.problems)
    if result.skipped_sources:
        print(f"skipped {len(result.skipped_sources)} file(s) with errors (--keep-going): "
              + ", ".join(result.skipped_sources), file=sys.stderr)


def _command_serve(args: argparse.Namespace) -> int:
    from .serve import DevServer  # here: the server and watchdog are no part of the other commands

    server = DevServer(lambda: read_config(args), report=lambda report: _report_rebuild(report, args),
                       host=args.host, port=args.port, watch=args.watch, polling=args.poll)
    first = server.start()
    if not first.is_ok and not args.watch:
        server.stop()
        return 1
    config = server.config
    watched = "; rebuilding on changes to " + ", ".join(
        _display(path, config.root) for path in server.watcher.watched_sources()) if server.watcher else ""
    print(f"serving {_display(config.output_dir, config.root)}/ at {server.url}{watched}; "
          "press Ctrl-C to stop", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: other machines on the network can read the site",
              file=sys.stderr)
    try:
        while server.wait(timeout=1.0):
            pass
    except KeyboardInterrupt:
        print("\nstopping: finishing any rebuild in progress...", file=sys.stderr, flush=True)
    finally:
        server.stop()
    print("stopped", flush=True)
    return 0


def _display(path: Path, root: Path) -> str:
    if path.is_relative_to(root) and path != root:
        return path.relative_to(root).as_posix()
    return path.as_posix()


def _report_rebuild(report: RebuildReport, args: argparse.Namespace) -> None:
    """Print one serve-mode build: its problems, then one line saying what happened."""
    cause = ""
    if report.changes is not None and report.changes.paths:
        paths = sorted(_display(path, Path.cwd().resolve()) for path in report.changes.paths)
        cause = paths[0] + (f" and {len(paths) - 1} more" if len(paths) > 1 else "") + " changed: "
    if report.result is not None:
        _report(report.result, args)
        result = report.result
        written = f" ({_plural(result.write.written_count, 'file')} updated)" if result.write else ""
        if "patch" in result.timings:  # the server's last build, with the edit patched in (resident.py)
            print(f"{cause}patched in {result.seconds:.2f} s{written}", flush=True)
            return
        print(f"{cause}{'built' if report.changes is None else 'rebuilt'} "
              f"{_plural(result.article_count, 'article')} in {result.seconds:.2f} s{written}", flush=True)
        return
    if report.problems:
        print_problems(report.problems)
        print(f"{cause}{summarise(report.problems, changed=True)}; still serving the last good build",
              file=sys.stderr, flush=True)
    else:
        print(f"{cause}error: {report.error}; still serving the last good build", file=sys.stderr, flush=True)
        if report.detail and args.debug:
            print(report.detail, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (kill, a CI timeout) like Ctrl-C, so the staging folder is cleaned up."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _command_import(args: argparse.Namespace) -> int:
    from .importer.run import ImportOptions, import_articles, parse_field_map, report_lines

    config = read_config(args)
    options = ImportOptions(
        format=args.format, source_name=args.source, date=args.date, title=args.title, topics=tuple(args.topic),
        image_lines=args.image_lines, field_map=parse_field_map(args.map, [t.name for t in config.taxonomies]),
        into=args.into.resolve() if args.into else None, is_dry_run=args.dry_run, should_update=args.update)
    report = import_articles(config, args.paths, options)
    for line in report_lines(report, review=args.review):
        print(line)
    return 1 if report.needs_attention else 0


COMMANDS = {"build": _command_build, "check": _command_check, "serve": _command_serve, "terms": _command_terms,
            "import": _command_import}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sitegen` command; returns the exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        with _sigterm_as_interrupt():
            return COMMANDS[args.command](args)
    except ContentError as exc:
        print_problems(exc.problems)
        print(summarise(exc.problems, changed=False), file=sys.stderr)
        return exc.exit_code
    except SitegenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; the previous output was left as it was", file=sys.stderr)
        return 130
    except Exception:  # a bug in sitegen, not a user mistake
        if args.debug:
            traceback.print_exc()
        else:
            error = sys.exc_info()[1]
            print(f"internal error (a bug in sitegen): {type(error).__name__}: {error}; "
                  "run again with --debug for the traceback", file=sys.stderr)
        return 70


def run() -> NoReturn:
    """The `sitegen` command (and `python -m sitegen`): `main`, then `exit_now`."""
    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """End the process with `code` once its output is flushed, without freeing its memory
    object by object. A build keeps what it read (articles, search analysis) for a next build in
    the same process (`serve`); freeing that at exit took 0.3 s at 10,000 articles. Nothing is
    left for `atexit`: executors and forked processes are closed before a command returns."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
