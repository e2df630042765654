"""A bad config.yaml: every problem at once, each at its line, naming the key and the fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import KNOWN_KEYS, load_config
from sitegen.errors import ContentError
from support import article, make_site, sitegen


def _problems(root: Path, text: str | bytes) -> list[str]:
    """The formatted problems `load_config` raises for a config.yaml holding `text`."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "config.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(ContentError) as caught:
        load_config(root)
    return [problem.format() for problem in caught.value.problems]


def test_unknown_key_names_the_closest_key_and_all_valid_ones(tmp_path: Path) -> None:
    assert _problems(tmp_path, "title: Archive\ntitel: Archive\n") == [
        "config.yaml:2: unknown key 'titel' in config.yaml; did you mean 'title'? valid keys: "
        + ", ".join(KNOWN_KEYS)]


def test_unknown_key_with_nothing_close_still_lists_the_valid_keys(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "colour_scheme: dark\n")
    assert problem.startswith("config.yaml:1: unknown key 'colour_scheme' in config.yaml; valid keys: ")
    assert "did you mean" not in problem


@pytest.mark.parametrize("text, expected", [
    ("title: [Archive\n", "config.yaml:1: invalid YAML: did not find expected ',' or ']': the [...] list "
                          "that starts on this line is never closed; check quoting and indentation"),
    ("- title\n- Archive\n", "config.yaml:1: config.yaml must be a mapping of keys to values (e.g. "
                             "'title: ...'), not a list; write one 'key: value' per line"),
    ("title: A\npage_size: many\n", "config.yaml:2: 'page_size' must be a whole number, not text; "
                                    "e.g. page_size: 20"),
    ("page_size: 0\n", "config.yaml:1: 'page_size' must be 1 or more, not 0; e.g. page_size: 20"),
    ("clean_urls: sometimes\n", "config.yaml:1: 'clean_urls' must be true or false, not text; "
                                "e.g. clean_urls: false"),
    ("timezone: Mars/Olympus\n", "config.yaml:1: unknown timezone 'Mars/Olympus'; use an IANA name "
                                 "such as 'UTC' or 'Europe/London'"),
    ("title: A\ntitle: B\n", "config.yaml:2: key 'title' is given twice (also on line 1); keep one of them"),
    ("output_dir: content\n", "config.yaml:1: output_dir must not be the project folder, nor contain or "
                              "sit inside the content, templates, static or data folders; use a folder of "
                              "its own such as 'build'"),
    ("output_dir: templates/site\n", "config.yaml:1: output_dir must not be the project folder"),
    ("output_dir: .\n", "config.yaml:1: output_dir must not be the project folder"),
    ("output_dir: content/site\n", "config.yaml:1: output_dir must not be the project folder"),
    ("content_dir: [a]\n", "config.yaml:1: 'content_dir' must be a folder path as text; e.g. content_dir: content"),
    ("taxonomies:\n  people: {}\n  places:\n    singluar: Place\n",
     "config.yaml:4: unknown key 'singluar' in taxonomy 'places'; did you mean 'singular'? valid keys: "
     "singular, plural, url_prefix"),
    ("taxonomies:\n  people: {}\n  places:\n    url_prefix: ../../etc\n",
     "config.yaml:4: url_prefix '../../etc' of taxonomy 'places' must be a slug (a-z, 0-9, -)"),
    ("taxonomies:\n  people: {}\n  Bad Name: {}\n",
     "config.yaml:3: taxonomy name 'Bad Name' must be a lowercase word (letters, digits, _ or -); rename it"),
    (b"title: Caf\xe9\n", "config.yaml:1: config is not UTF-8 text (byte offset 10); save it as UTF-8"),
])
def test_bad_config_value_is_reported_at_its_line(tmp_path: Path, text: str | bytes, expected: str) -> None:
    problems = _problems(tmp_path, text)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_config_problem_is_reported_at_once(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "titel: A\npage_size: many\ntimezone: Nowhere\nclean_urls: 3\n")
    assert [p.split(":")[1] for p in problems] == ["1", "2", "3", "4"]


def test_config_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_bytes(b"\xef\xbb\xbftitle: BOM Archive\n")
    assert load_config(tmp_path).title == "BOM Archive"


def test_missing_config_is_one_message_without_a_traceback(tmp_path: Path) -> None:
    run = sitegen(tmp_path, "build")
    assert run.code == 1
    assert run.err.startswith("config.yaml:1: config file not found; create it")
    assert "Traceback" not in run.err and not (tmp_path / "build").exists()


def test_bad_config_fails_build_and_leaves_previous_build(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    assert sitegen(root).code == 0
    before = (root / "build/index.html").read_bytes()
    with (root / "config.yaml").open("a") as config:
        config.write("page_szie: 10\n")
    run = sitegen(root, "build")
    assert run.code == 1 and "unknown key 'page_szie' in config.yaml; did you mean 'page_size'?" in run.err
    assert run.err.rstrip().endswith("1 error in 1 file; build/ was not changed")
    assert (root / "build/index.html").read_bytes() == before


def test_missing_content_folder_is_an_error_naming_the_setting(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {}, config="content_dir: articles\n")
    run = sitegen(root, "check")
    assert run.code == 1
    assert "config.yaml:1: content folder 'articles' does not exist; create it and add articles, or " \
           "set content_dir in config.yaml" in run.err


def test_command_line_folders_are_checked_like_the_config(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    run = sitegen(root, "build", "--out", str(root / "content/site"))
    assert run.code == 1
    assert run.err.startswith(f"error: --out {root / 'content/site'}: the output folder must not be the "
                              "project folder, nor contain or sit inside the content")
    assert sorted(p.name for p in (root / "content").iterdir()) == ["a.md"]
