"""Splitting front matter from the body and mapping keys to file lines."""
from __future__ import annotations

import pytest

from sitegen.frontmatter import FrontMatterError, split_front_matter


def test_keys_map_to_their_file_lines() -> None:
    text = "---\ntitle: A\ndate: 2015-01-16\npeople:\n  - Mark Rowley\n  - Theresa May\n---\nBody\n"
    fm = split_front_matter(text, "content/a.md")
    assert fm.data["title"] == "A"
    assert fm.line_of("title") == 2 and fm.line_of("date") == 3
    assert fm.line_of("people", 1) == 6
    assert fm.body == "Body\n" and fm.body_line == 8


def test_dates_stay_text_so_impossible_dates_can_be_reported() -> None:
    fm = split_front_matter("---\ntitle: A\ndate: 2015-02-30\n---\n", "a.md")
    assert fm.data["date"] == "2015-02-30"


def test_a_body_may_contain_more_fences() -> None:
    fm = split_front_matter("---\ntitle: A\n---\ntext\n\n---\n\nmore\n", "a.md")
    assert fm.body == "text\n\n---\n\nmore\n"


@pytest.mark.parametrize("text, line, words", [
    ("no front matter\n", 1, "no front matter"),
    ("---\ntitle: A\n", 1, "never closed"),
    ("---\ntitle: A\ndate: [unclosed\n---\n", 3, "invalid YAML"),  # where the [ opened
    ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
])
def test_unreadable_front_matter_is_one_located_problem(text: str, line: int, words: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(text, "content/x.md")
    problem = caught.value.problem
    assert problem.source == "content/x.md" and problem.line == line and words in problem.message
