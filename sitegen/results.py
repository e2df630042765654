"""What a build or a check did (`BuildResult`): light, so a no-op build need import nothing more."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Problem
from .output import WriteStats


@dataclass
class BuildResult:
    """What a build or check did: counts, timings per stage (seconds), and every problem."""

    article_count: int = 0
    page_count: int = 0
    file_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped_sources: list[str] = field(default_factory=list)  # bad files left out (--keep-going)
    timings: dict[str, float] = field(default_factory=dict)
    write: WriteStats | None = None
    rendered_count: int = 0  # pages rendered; the others were unchanged since the last build
    search_urls: tuple[str, ...] = ()  # files made by the search index

    @property
    def seconds(self) -> float:
        """Total time of all stages."""
        return sum(self.timings.values())
