"""Build a search corpus for the Node tests: `python tests/node/search_fixture.py OUT`.

Writes to OUT:
- `files/`: sitegen's search files for the corpus, cut into small shards (many per query);
- `lunrpy.json`: the index plain lunr.py builds, and `lunrpy_results.json`: lunr.py's ranked
  refs and scores for every query in `search_queries.json`;
- `analysis.json`: words and tokens with their Python stems and folds, for cross-checks.

The corpus is the `basic` fixture site, the seed article, and a seeded generated set.
"""
from __future__ import annotations

import json
import math
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))

from sitegen import search_index, search_shards  # noqa: E402
from sitegen.check import check_site  # noqa: E402
from sitegen.config import load_config  # noqa: E402
from sitegen.search import build_search_files, index_documents, index_fields  # noqa: E402
from sitegen.search_input import SearchInput  # noqa: E402

SHARD_BYTES = 1500  # tiny shards, so queries span several and prefixes cross boundaries
LENGTH_BLOCK = 25  # documents per length file: several files, of which a query needs some
WORDS = ("police patrol patrols patrolling community communities minister ministers budget bank banks "
         "banking election elections vote voting voted council councils report reported reporting court "
         "courts judge trial health hospital hospitals school schools teacher strike strikes railway "
         "railways train trains airport flight flights climate flood floods storm housing rent tenants "
         "price prices inflation economy growth jobs unemployment tax taxes spending treaty border "
         "refugee refugees asylum terror terrorism attack attacks threat security officer officers "
         "société café naïve façade über straße lay try cry generalization running relational").split()
PEOPLE = ["Mark Rowley", "Theresa May", "Zoë Ball", "José Mourinho", "Łukasz Kowalski", "Søren Kierkegaard",
          "Anaïs Nin", "Björn Borg", "Renée Zellweger", "Chloé Zhao", "Siobhan Kelly", "Jürgen Klopp"]
ORGANISATIONS = ["Société Générale", "Community Security Trust", "Bank of England", "Network Rail",
                 "Crédit Agricole", "Médecins Sans Frontières", "National Health Service"]
TOPICS = ["Policing", "Economy", "Elections", "Health", "Transport", "Climate", "Housing", "Terrorism"]
SOURCES = ["The Independent", "The Guardian", "Le Monde", "Reuters", ""]


def _article(rng: random.Random, n: int) -> str:
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    body = " ".join(rng.choices(WORDS, weights, k=rng.randint(20, 120)))
    title = " ".join(rng.choices(WORDS, weights, k=rng.randint(3, 7))).capitalize()
    lines = [f"title: {title} {n}", f"date: {rng.randint(2001, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    source = rng.choice(SOURCES)
    if source:
        lines.append(f"source: {source}")
    for key, pool, most in (("people", PEOPLE, 3), ("organisations", ORGANISATIONS, 2), ("topics", TOPICS, 3)):
        names = rng.sample(pool, rng.randint(0, most))
        if names:
            lines.append(f"{key}:")
            lines.extend(f"  - {name}" for name in names)
    paragraphs = [body[i:i + 200] for i in range(0, len(body), 200)]
    return "---\n" + "\n".join(lines) + "\n---\n" + "\n\n".join(paragraphs) + "\n"


def make_corpus(root: Path, count: int = 150, seed: int = 3) -> Path:
    """The project folder: basic fixture + seed article + `count` generated articles."""
    shutil.copytree(REPO / "tests" / "fixtures" / "sites" / "basic", root)
    config = (root / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(config.replace("../../../../templates", (REPO / "templates").as_posix()),
                                      encoding="utf-8")
    seed_article = REPO / "content" / "2015" / "01" / "police-patrols-jewish-communities.md"
    (root / "content" / "2015" / "01").mkdir(parents=True, exist_ok=True)
    shutil.copy(seed_article, root / "content" / "2015" / "01" / seed_article.name)
    rng = random.Random(seed)
    folder = root / "content" / "generated"
    folder.mkdir()
    for n in range(count):
        (folder / f"g{n:03d}.md").write_text(_article(rng, n), encoding="utf-8")
    return root


def main(out: Path) -> None:
    """Write the corpus's search files, lunr.py's index and results, and analysis samples."""
    if out.exists():
        shutil.rmtree(out)
    root = make_corpus(out / "site")
    site = check_site(load_config(root)).site
    search_shards.LENGTH_BLOCK = LENGTH_BLOCK
    for url, data in build_search_files(site, shard_bytes=SHARD_BYTES).items():
        path = out / "files" / url
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    source = SearchInput.of_site(site)
    builder = search_index.lunr_builder(index_fields(source))
    for number, document in enumerate(index_documents(source)):
        builder.add({"ref": str(number), **document})
    index = builder.build()
    (out / "lunrpy.json").write_text(json.dumps(index.serialize(), ensure_ascii=False), encoding="utf-8")
    queries = json.loads((HERE / "search_queries.json").read_text(encoding="utf-8"))
    results = {q: [[r["ref"], r["score"]] for r in index.search(q)] for q in queries["lunr"]}
    (out / "lunrpy_results.json").write_text(json.dumps(results), encoding="utf-8")
    words = sorted({w for doc in index_documents(source) for text in doc.values() for w in text.lower().split()})
    folded = sorted({search_index.fold_term(w) for w in words} - {""})
    analysis = {"stems": {w: search_index.stem(w) for w in folded + queries["stems"]},
                "folds": {t: search_index.fold_term(t.lower()) for t in words + queries["folds"]},
                "roundings": _roundings()}
    (out / "analysis.json").write_text(json.dumps(analysis, ensure_ascii=False), encoding="utf-8")


def _roundings() -> list[tuple[float, int]]:
    """Doubles next to half-thousandths with Python's round(score, 3) x 1000 of each."""
    rng = random.Random(5)
    samples = []
    for _ in range(400):
        middle = (rng.randrange(1, 40_000) + 0.5) / 1000
        for steps in (-2, -1, 0, 1, 2):
            score = middle
            for _ in range(abs(steps)):
                score = math.nextafter(score, math.inf if steps > 0 else -math.inf)
            samples.append((score, search_index.exact_thousandths(score)))
    return samples


if __name__ == "__main__":
    main(Path(sys.argv[1]))
