"""Every file in tests/fixtures/bad/ is one bad input, named for its fault.

Each is dropped into a project that has already been built: `check` and `build` both name the
file, the line and the fix, exit 1 without a traceback, and leave the previous build/ untouched
(same folder, same bytes).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import FIXTURES, article, make_site, sitegen, tree_digest

BAD = FIXTURES / "bad"
_DATE_FIX = "write YYYY-MM-DD, e.g. 2015-01-16"
_YAML_FIX = "check quoting and indentation"

# file -> (line, the message after `content/<file>:<line>: `, or enough of it to show the fix)
EXPECTED = {
    "empty.md": (1, "file is empty; add front matter with a title and date, or delete the file"),
    "blank_lines_only.md": (1, "file is empty; add front matter"),
    "binary.md": (1, "looks like a binary file, not Markdown text; remove it from content/"),
    "not_utf8.md": (2, "not valid UTF-8 (byte 0xe9 at offset 14); re-save the file as UTF-8"),
    "no_front_matter.md": (1, "no front matter; start the file with a line '---'"),
    "unclosed_front_matter.md": (1, "front matter opened on line 1 is never closed; add a line '---'"),
    "yaml_invalid.md": (4, "invalid YAML: did not find expected ',' or ']': the [...] list that starts "
                           f"on this line is never closed; {_YAML_FIX}"),
    "yaml_colon_in_value.md": (2, "invalid YAML: mapping values are not allowed in this context; "
                                  f"{_YAML_FIX} (quote values that contain ': '"),
    "yaml_control_character.md": (4, "invalid YAML: the character U+0007 is not allowed (a control "
                                     "character); delete it"),
    "yaml_python_tag.md": (2, "invalid YAML: could not determine a constructor for the tag "
                              "'tag:yaml.org,2002:python/object/apply:os.system'; tags such as "
                              "'!!python/...' are not allowed; remove the tag or quote the value"),
    "yaml_too_deep.md": (4, f"invalid YAML: exceeded maximum nesting depth; {_YAML_FIX}"),
    "yaml_alias_bomb.md": (13, "'draft' must be true or false, not '[[[[...], [...]"),
    "not_a_mapping.md": (2, "front matter must be a mapping of keys to values (e.g. 'title: ...'), "
                            "not a list; write one 'key: value' per line"),
    "duplicate_key.md": (4, "key 'title' is given twice (also on line 2); keep one of them"),
    "title_missing.md": (1, "'title' is missing; add a line such as 'title: Police step up patrols'"),
    "title_empty.md": (2, "'title' is empty; add a line such as 'title:"),
    "title_is_list.md": (2, "'title' must be text, not a list; write title: \"...\""),
    "title_has_nul.md": (2, "'title' holds the control character U+0000 in 'Police\\x00 patrols'; delete it"),
    "date_missing.md": (1, f"'date' is missing; {_DATE_FIX}"),
    "date_empty.md": (3, f"'date' is empty; {_DATE_FIX}"),
    "date_malformed.md": (3, f"date '16/01/2015' is not a date in a form sitegen reads; {_DATE_FIX}"),
    "date_impossible.md": (3, f"date '2015-02-30' is not a real date; {_DATE_FIX}"),
    "date_is_list.md": (3, f"'date' must be one date, not a list; {_DATE_FIX}"),
    "people_is_string.md": (4, "'people' must be a list, not text; write people: [Mark Rowley] or one "
                               "'- name' per line"),
    "topics_has_number.md": (6, "item 2 of 'topics' is a number ('42'), not a name; put it in quotes"),
    "topics_has_null.md": (6, "item 2 of 'topics' is empty; write a name after the '- ' or delete the line"),
    "topics_nested_list.md": (6, "item 2 of 'topics' is a list inside the list; write each name as its "
                                 "own '- name' line"),
    "organisations_has_mapping.md": (5, "item 1 of 'organisations' was read as a mapping (a name holding "
                                        "': '?); put the name in quotes"),
    "people_name_has_nul.md": (6, "'people' holds the control character U+0000 in '../\\x00etc'; delete it"),
    "draft_not_boolean.md": (4, "'draft' must be true or false, not 'maybe'; write draft: true or draft: false"),
    "slug_is_list.md": (4, "'slug' must be text, not a list; e.g. slug: police-patrols"),
    "slug_no_letters.md": (4, "slug '../..' has no letters or digits; use a-z, 0-9 and -"),
    "original_url_javascript.md": (4, "original_url 'javascript:alert(document.cookie)' is not a web "
                                      "address; write the full address, starting with https://"),
    "image_javascript.md": (6, "image 'JavaScript:alert(1)' is neither a web address nor a path inside "
                               "the site; write https://... or a path from the site root"),
    "image_outside_site.md": (4, "image '../../../etc/passwd' is neither a web address nor a path inside"),
    "image_unknown_key.md": (6, "unknown key 'captoin' in 'image'; did you mean 'caption'? valid keys: "
                                "src, alt, caption, credit"),
}


def test_every_bad_fixture_has_an_expected_message() -> None:
    assert sorted(path.name for path in BAD.iterdir()) == sorted(EXPECTED)


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one good article, built once; tests copy it."""
    root = make_site(tmp_path_factory.mktemp("bad") / "site",
                     {"content/2015/good.md": article("A good story", people=["Mark Rowley"])})
    assert sitegen(root).code == 0
    return root


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_names_file_line_and_fix_and_leaves_build_alone(
        name: str, built_project: Path, tmp_path: Path) -> None:
    line, message = EXPECTED[name]
    root = tmp_path / "site"
    shutil.copytree(built_project, root)
    before, folder = tree_digest(root / "build"), (root / "build").stat().st_ino
    shutil.copyfile(BAD / name, root / "content" / name)
    for command in ("check", "build"):
        run = sitegen(root, command)
        assert run.code == 1, run.err
        assert f"content/{name}:{line}: {message}" in run.err
        assert run.err.rstrip().endswith("1 error in 1 file; build/ was not changed")
        assert "Traceback" not in run.err and "internal error" not in run.err
    assert (root / "build").stat().st_ino == folder, "build/ was replaced"
    assert tree_digest(root / "build") == before


def test_keep_going_builds_the_good_files_and_lists_every_bad_one(built_project: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(built_project, root)
    shutil.copytree(BAD, root / "content" / "bad")
    run = sitegen(root, "build", "--keep-going")
    assert run.code == 1  # like `make -k`: the rest is built, and the errors still count
    assert f"skipped {len(EXPECTED)} file(s) with errors (--keep-going)" in run.err
    for name, (line, message) in EXPECTED.items():
        assert f"content/bad/{name}:{line}: {message}" in run.err
    assert run.err.rstrip().endswith(f"{len(EXPECTED)} errors in {len(EXPECTED)} files; those files "
                                     "were left out")
    assert "built 1 article" in run.out
    assert sorted(p.name for p in (root / "build/2015/01").iterdir()) == ["a-good-story", "index.html"]


def test_check_lists_every_problem_at_once_and_writes_nothing(built_project: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(built_project, root)
    shutil.rmtree(root / "build")
    (root / ".build.lock").unlink()
    shutil.copytree(BAD, root / "content" / "bad")
    run = sitegen(root, "check")
    assert run.code == 1
    located = [line for line in run.err.splitlines() if line.startswith("content/bad/")]
    assert len(located) == len(EXPECTED) and located == sorted(located)
    assert not list(root.glob("build*")) and not list(root.glob(".build*"))
