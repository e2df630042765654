"""A seeded generator of realistic synthetic news archives, written to a scratch folder.

Shaped like the corpus of issue 7: at 4,000 articles, 200 topics, 2,000 people and 1,000
organisations, with Zipf-like popularity (a few terms name most articles); term pools grow with
the square root of the archive, bodies run 300-970 words over a Zipf-distributed vocabulary,
dates span 20 years, and some names are not ASCII. The same seed always writes the same files.
"""
from __future__ import annotations

import itertools
import random
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"

# The most frequent English words head the vocabulary; invented words make the long tail.
COMMON_WORDS = """the of and to a in that is was he for it with as his on be at by had are but from
or have an they which one you were her all she there would their we him been has when who will
more no if out so said what up its about into than them can only other new some could time these
two may then do first any my now such like our over man me even most made after also did many
before must through back years where much your way well down should because each just those people
how too little state good very make world still own see men work long get here between both life
being under never day same another know while last might us great old year off come since against
go came right used take three police government minister council report court week month public
city school health law party police officers said spokesman statement members plan cost money
told official added country community local national service support security attack vote""".split()
SYLLABLES = ("ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga ge go ha he hi ho ja jo ka ke ki "
             "ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su "
             "ta te ti to tu va ve vi vo wa we wi ya yo za ze tra tre tri pro pre sta ste sto bra bre "
             "gra gre cla cle fla fle mar mer mor lan len lin ron ran ter tor ver vin son sen").split()
SUFFIXES = ("", "", "", "s", "ing", "ed", "er", "ation", "ly", "ment", "ness", "al")

FIRST_NAMES = """James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark
Margaret Paul Sandra Steven Ashley Andrew Emily Joshua Donna Kevin Michelle Brian Carol George Amanda
Timothy Melissa Ronald Deborah Jason Stephanie Edward Rebecca Jeffrey Sharon Ryan Laura Jacob Cynthia
Gary Kathleen Nicholas Amy Eric Angela Jonathan Shirley Stephen Anna Larry Brenda Justin Pamela Scott
Emma Brandon Nicole Benjamin Helen Samuel Samantha Gregory Katherine Alexander Christine Frank Debra
Raymond Rachel Patrick Carolyn Jack Janet Dennis Catherine Jerry Maria Tyler Heather Aaron Diane
Mohammed Fatima Priya Rahul Wei Mei Hiroshi Yuki Olusegun Chiamaka Siobhan Aoife Niamh Sean
José Zoë Łukasz Søren François Björn Anaïs Małgorzata Dvořák Renée İlkay Ümit Ŝtefan Ægir Iñaki
Nguyễn Thảo Zoltán Ágnes Mikuláš Jürgen Chloé Æthelred Oğuz Şebnem""".split()
SURNAMES = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez
Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green
Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Khan Singh Ahmed Ali Begum
Okafor Adeyemi Mensah Osei Murphy Kelly O'Brien Byrne Walsh McCarthy Evans Hughes Edwards Price
Rowley Davies Morgan Griffiths Owen Lloyd Jenkins Powell Tanaka Suzuki Watanabe Kim Park Chen Wang
Zhang Liu Müller Schröder Weiß Søndergaard Ångström Gonçalves Nuñez Núñez Ødegaard Dąbrowski
Wójcik Kovač Dvořáková Erdoğan Çelik Şahin Ó'Súilleabháin Lefèvre Bérénice Fernández Doğan
Åberg Öztürk Jääskeläinen Ferreira Costa Rossi Russo Bianchi Romano Esposito Ricci Marino""".split()
PLACES = """Ashford Bramley Carlton Dunmore Eastleigh Fairfield Glenrock Harrowgate Ivybridge Kingsmere
Langley Marlow Northbridge Oakham Pembury Queensferry Redhill Southwold Thornbury Upminster Westbury
Yarmouth Zürich Malmö Kraków Ålesund Córdoba São Paulo Genève Düsseldorf Reykjavík Łódź""".split()
TOPIC_WORDS = [t.strip() for t in """Elections, Housing, Climate change, Policing, Education, Health care,
Immigration, Terrorism, Brexit, Economy, Inflation, Unemployment, Taxation, Transport, Railways, Aviation,
Energy, Oil, Gas, Renewables, Agriculture, Fishing, Farming, Water, Floods, Drought, Wildfires, Storms,
Courts, Prisons, Crime, Fraud, Corruption, Lobbying, Parliament, Local government, Devolution, Defence,
Armed forces, Diplomacy, Trade, Tariffs, Banking, Markets, Pensions, Welfare, Benefits, Childcare,
Universities, Schools, Science, Space, Technology, Privacy, Surveillance, Social media, Broadcasting,
Newspapers, Arts, Theatre, Music, Football, Cricket, Rugby, Tennis, Olympics, Athletics, Tourism,
Hospitality, Retail, Manufacturing, Steel, Cars, Shipping, Ports, Airports, Roads, Cycling, Air pollution,
Recycling, Waste, Wildlife, Forests, Oceans, Antisemitism, Islamophobia, Racism, Equality, Gender,
Disability, Mental health, Public health, Vaccines, Pandemic, Hospitals, Nursing, Doctors, Strikes,
Trade unions, Wages, Poverty, Homelessness, Rents, Mortgages, Planning, Heritage""".split(",")]
ORG_KINDS = ("City Council", "Police", "University", "Hospital Trust", "Bank", "Water", "Airport",
             "Chamber of Commerce", "Housing Association", "Rail", "Football Club", "Energy")
PUBLICATIONS = ("The Independent", "The Guardian", "BBC News", "Reuters", "The Times", "Le Monde",
                "Süddeutsche Zeitung", "El País", "Associated Press", "The Irish Times")
START = datetime(2005, 1, 1, tzinfo=timezone.utc)
DAYS = 20 * 365


@dataclass(frozen=True)
class Shape:
    """How many terms of each kind an archive of `article_count` articles draws on."""

    article_count: int
    topic_count: int
    person_count: int
    organisation_count: int
    vocabulary_size: int


def shape_of(article_count: int) -> Shape:
    """Term pools for an archive: 200 / 2,000 / 1,000 at 4,000 articles, growing as sqrt(n)."""
    scale = (article_count / 4000) ** 0.5
    return Shape(article_count, max(10, round(200 * scale)), max(20, round(2000 * scale)),
                 max(10, round(1000 * scale)), max(3000, round(40000 * scale)))


def _cumulative_zipf(count: int, exponent: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank ** exponent) for rank in range(1, count + 1)))


def _distinct(make, count: int, rng: random.Random) -> list[str]:
    """`count` distinct names from the generator function `make(rng, attempt)`."""
    names: dict[str, None] = {}
    attempt = 0
    while len(names) < count:
        names.setdefault(make(rng, attempt), None)
        attempt += 1
    return list(names)


def _person(rng: random.Random, attempt: int) -> str:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    return name if attempt < 40000 else f"{name} {attempt}"


def _organisation(rng: random.Random, attempt: int) -> str:
    form = rng.randrange(4)
    if form == 0:
        return f"{rng.choice(PLACES)} {rng.choice(ORG_KINDS)}"
    if form == 1:
        return f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)}"
    if form == 2:
        return f"Ministry of {rng.choice(TOPIC_WORDS)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(('Group', 'Holdings', 'Foundation', 'Trust', 'Institute'))}"


def _topic(rng: random.Random, attempt: int) -> str:
    if attempt < len(TOPIC_WORDS):
        return TOPIC_WORDS[attempt]
    return f"{rng.choice(TOPIC_WORDS)} in {rng.choice(PLACES)}"


def _vocabulary(size: int, rng: random.Random) -> list[str]:
    words = dict.fromkeys(w.lower() for w in COMMON_WORDS)
    while len(words) < size:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        words.setdefault(stem + rng.choice(SUFFIXES), None)
    return list(words)


class ArchiveWriter:
    """Writes one synthetic archive; every choice comes from one seeded random generator."""

    def __init__(self, article_count: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.shape = shape_of(article_count)
        self.topics = _distinct(_topic, self.shape.topic_count, self.rng)
        self.people = _distinct(_person, self.shape.person_count, self.rng)
        self.organisations = _distinct(_organisation, self.shape.organisation_count, self.rng)
        self.words = _vocabulary(self.shape.vocabulary_size, self.rng)
        self.word_weights = _cumulative_zipf(len(self.words), 1.05)
        self.topic_weights = _cumulative_zipf(len(self.topics), 0.9)
        self.person_weights = _cumulative_zipf(len(self.people), 0.8)
        self.organisation_weights = _cumulative_zipf(len(self.organisations), 0.8)
        self.used: set[str] = set()

    def pick(self, names: list[str], weights: list[float], count: int) -> list[str]:
        """`count` distinct names, popular ones more often."""
        chosen = dict.fromkeys(self.rng.choices(names, cum_weights=weights, k=count * 2))
        return list(chosen)[:count]

    def sentence(self, names: list[str]) -> str:
        """One sentence, sometimes naming a person or organisation of the article."""
        words = self.rng.choices(self.words, cum_weights=self.word_weights, k=self.rng.randint(8, 28))
        if names and self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(names))
        if self.rng.random() < 0.05:
            at = self.rng.randrange(len(words))
            words[at] = f"*{words[at]}*"
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.rng.choice((".", ".", ".", ".", "?", ";"))[:1]

    def body(self, names: list[str]) -> str:
        """300-970 words of paragraphs, with the odd quote, link, heading or list."""
        target = self.rng.randint(300, 970)
        paragraphs, words = [], 0
        while words < target:
            kind = self.rng.random()
            if kind < 0.1:
                text = f'{self.rng.choice(names or ["A spokesman"])} said: "{self.sentence(names)}"'
            elif kind < 0.13:
                text = "## " + self.sentence([]).rstrip(".?;")
            elif kind < 0.16:
                text = "\n".join(f"- {self.sentence(names)}" for _ in range(self.rng.randint(2, 4)))
            elif kind < 0.2:
                text = f"{self.sentence(names)} [Read the report](https://example.org/report/{words}) " \
                       f"for {self.sentence([])}"
            else:
                text = " ".join(self.sentence(names) for _ in range(self.rng.randint(2, 5)))
            paragraphs.append(text)
            words += text.count(" ") + 1
        return "\n\n".join(paragraphs) + "\n"

    def article(self, index: int, when: datetime | None = None) -> tuple[str, str]:
        """(content-relative path, file text) of article number `index`."""
        rng = self.rng
        when = when or START + timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(24 * 60))
        topics = self.pick(self.topics, self.topic_weights, rng.choice((1, 2, 2, 3, 3, 4)))
        people = self.pick(self.people, self.person_weights, rng.choice((0, 1, 1, 2, 2, 3, 4, 6)))
        organisations = self.pick(self.organisations, self.organisation_weights, rng.choice((0, 1, 1, 2, 3)))
        title_words = rng.choices(self.words, cum_weights=self.word_weights, k=rng.randint(5, 11))
        if people:
            title_words.insert(rng.randrange(len(title_words)), people[0])
        title = " ".join(title_words)
        title = title[0].upper() + title[1:]
        slug = "-".join(w for w in title_words[:6]).lower().replace(" ", "-")
        slug = "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch == "-")).strip("-")[:60] or "article"
        name = f"{when:%Y/%m}/{slug}-{index}.md"
        lines = ["---", f"title: {_yaml_text(title)}",
                 f"date: {when:%Y-%m-%d}" if rng.random() < 0.5 else f"date: {when.isoformat()}",
                 f"source: {rng.choice(PUBLICATIONS)}",
                 f"byline: {_yaml_text(_person(rng, 0))}"]
        if rng.random() < 0.3:
            lines.append(f"summary: {_yaml_text(self.sentence(people))}")
        for key, names in (("topics", topics), ("people", people), ("organisations", organisations)):
            if names:
                lines.append(f"{key}:")
                lines.extend(f"  - {_yaml_text(n)}" for n in names)
        lines.append("---")
        return name, "\n".join(lines) + "\n" + self.body(people + organisations)


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


CONFIG = """\
title: Synthetic Archive
description: A generated archive for benchmarks.
timezone: UTC
template_dirs: [{templates}]
static_dir: {static}
taxonomies:
  topics: {{singular: Topic, plural: Topics}}
  people: {{singular: Person, plural: People}}
  organisations: {{singular: Organisation, plural: Organisations}}
"""


def write_config(root: Path) -> Path:
    """config.yaml for a generated archive, using the project's default templates."""
    path = root / "config.yaml"
    path.write_text(CONFIG.format(templates=TEMPLATES.as_posix(), static=(TEMPLATES / "static").as_posix()),
                    encoding="utf-8")
    return path


def generate_archive(root: Path, article_count: int, seed: int = 7) -> ArchiveWriter:
    """Write config.yaml and `article_count` articles under `root` (replacing its content/)."""
    content = root / "content"
    if content.exists():
        shutil.rmtree(content)
    root.mkdir(parents=True, exist_ok=True)
    write_config(root)
    writer = ArchiveWriter(article_count, seed)
    made: set[Path] = set()
    for index in range(article_count):
        name, text = writer.article(index)
        path = content / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8")
    return writer


def edit_article(root: Path, nth: int = 0) -> Path:
    """Change one sentence in the body of an existing article (its terms stay); returns its path."""
    paths = sorted((root / "content").rglob("*.md"))
    path = paths[(len(paths) // 2 + nth) % len(paths)]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nThis article was corrected ({nth + 1}).\n", encoding="utf-8")
    return path


def add_article(root: Path, seed: int = 7, nth: int = 0) -> Path:
    """Add one new article naming the archive's own terms, dated after every generated one."""
    writer = ArchiveWriter(sum(1 for _ in (root / "content").rglob("*.md")), seed)
    writer.rng.seed(seed * 1000 + nth)
    when = START + timedelta(days=DAYS + 30 + nth, hours=9)
    name, text = writer.article(10**7 + nth, when=when)
    path = root / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":  # python -m bench.generate FOLDER COUNT [SEED]
    import sys

    folder, count = Path(sys.argv[1]), int(sys.argv[2])
    generate_archive(folder, count, int(sys.argv[3]) if len(sys.argv) > 3 else 7)
