"""Optional named-entity recognition with spaCy (the `ner` extra); never required."""
from __future__ import annotations

from collections.abc import Callable, Sequence

Recogniser = Callable[[str], dict[str, tuple[str, ...]]]
# spaCy's labels -> the taxonomy their names go into, when the site has it.
_LABELS = {"PERSON": "people", "ORG": "organisations", "GPE": "places"}


def load_recogniser(taxonomies: Sequence[str]) -> tuple[Recogniser | None, str]:
    """A function finding new names in text with the first installed spaCy model, or None and
    why not; the text says how tagging was done, for the report."""
    known_only = "tagged by names already known to the archive only"
    try:
        import spacy  # an optional extra: most installs do not have it
    except ImportError:
        return None, f"{known_only} (for new names too, pip install 'sitegen[ner]' and a spaCy model)"
    models = sorted(spacy.util.get_installed_models())
    if not models:
        return None, f"{known_only} (spaCy has no model: python -m spacy download en_core_web_sm)"
    nlp = spacy.load(models[0])
    wanted = {label: taxonomy for label, taxonomy in _LABELS.items() if taxonomy in taxonomies}

    def recognise(text: str) -> dict[str, tuple[str, ...]]:
        found: dict[str, dict[str, None]] = {}
        for entity in nlp(text).ents:
            if entity.label_ in wanted:
                found.setdefault(wanted[entity.label_], {})[" ".join(entity.text.split())] = None
        return {taxonomy: tuple(names) for taxonomy, names in found.items()}

    return recognise, f"tagged by names known to the archive and by spaCy ({models[0]})"
