"""Languages other than English: their spaCy pipeline and their cue lexicons, one file each.

A language is a TOML file `<code>.toml` in the languages folder (`features.languages`,
`configs/languages/` by default) naming the spaCy pipeline that parses it (`spacy`, e.g.
"blank:ru": no trained Russian pipeline installs from PyPI), an optional lemmatizer
(`lemmatizer = "lookup"`: the lookup tables of spacy-lookups-data), word lists read by the
NATO-frame and question cues (`[terms]`), and the phrases of every cue (`[cues]`), under the
same names as the English cues (`pipeline/features/cues.py`) so that one model shares them
across languages. Adding a language is adding a file.

Phrase syntax: words separated by spaces match consecutive tokens, case-insensitively; a word
ending in `*` matches any token that begins with it (inflection: "пропаганд*"); `...` allows
0 to 3 other words; `#` matches a number.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ENGLISH = "en"
TERM_LISTS = ("nato", "west", "war", "threat", "border")
CUE_NAMES = (
    "acc_so_called", "acc_mouthpiece", "acc_info_war", "acc_fake_news", "acc_russophobia",
    "acc_lies", "acc_propaganda", "acc_hysteria", "acc_fakery", "acc_bias",
    "stance_refute", "stance_report", "stance_debunk_frame", "stance_defend",
    "nato_real_aim", "nato_pretext", "nato_encircle", "nato_war_prep", "nato_provocation",
    "nato_broken_promise", "nato_defensive_doubt",
    "coord_bots", "coord_accounts", "coord_identical", "coord_amplify",
    "attrib_according_to", "state_media_phrase",
)
LEMMATIZERS = ("", "lookup")


class LanguageFileError(ValueError):
    """A language file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Language:
    """One language's analysis, read from its file."""

    code: str
    name: str
    spacy: str
    lemmatizer: str = ""
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def pipeline(self) -> str:
        """The name load_nlp takes: the spaCy pipeline plus the lemmatizer, if any."""
        return f"{self.spacy}+lemmatizer:{self.lemmatizer}" if self.lemmatizer else self.spacy


def _strings(path: Path, where: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LanguageFileError(f"{path}: {where} must be a list of non-empty strings.")
    return tuple(v.strip() for v in value)


def load_language(path: str | Path) -> Language:
    """Read and check one language file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LanguageFileError(f"{path}: not valid TOML ({exc}).") from exc
    code = data.get("language")
    if code != path.stem:
        raise LanguageFileError(f"{path}: `language` must be the file's name ('{path.stem}'), "
                                f"got {code!r}.")
    if code == ENGLISH:
        raise LanguageFileError(f"{path}: English is analysed by the model's own pipeline "
                                f"and the cues of pipeline/features/cues.py; remove this file.")
    spacy_name = data.get("spacy", f"blank:{code}")
    lemmatizer = data.get("lemmatizer", "")
    if lemmatizer not in LEMMATIZERS:
        raise LanguageFileError(f"{path}: lemmatizer must be one of {LEMMATIZERS}, "
                                f"got {lemmatizer!r}.")
    terms = data.get("terms", {})
    cues = data.get("cues", {})
    unknown = (set(terms) - set(TERM_LISTS)) | (set(cues) - set(CUE_NAMES))
    if unknown:
        raise LanguageFileError(f"{path}: unknown term list or cue name(s) {sorted(unknown)}; "
                                f"terms: {', '.join(TERM_LISTS)}; cues: {', '.join(CUE_NAMES)}.")
    return Language(
        code=code, name=str(data.get("name", code)), spacy=spacy_name, lemmatizer=lemmatizer,
        terms={k: _strings(path, f"terms.{k}", v) for k, v in terms.items()},
        cues={k: _strings(path, f"cues.{k}", v) for k, v in cues.items()})


@lru_cache(maxsize=8)
def load_languages(folder: str | Path) -> dict[str, Language]:
    """Every language file of a folder by its code ({} when the folder is "" or missing)."""
    if not folder or not Path(folder).is_dir():
        return {}
    return {p.stem: load_language(p) for p in sorted(Path(folder).glob("*.toml"))}


def phrase_pattern(phrase: str, make_doc) -> list[dict]:
    """A spaCy Matcher pattern for one phrase of a language file (see the module docstring);
    `make_doc` is the language's tokenizer, so phrases split the way texts do."""
    pattern: list[dict] = []
    for word in phrase.split():
        if word == "...":
            pattern.append({"IS_PUNCT": False, "OP": "{0,3}"})
        elif word == "#":
            pattern.append({"LIKE_NUM": True})
        else:
            prefix = word.endswith("*") and len(word) > 1
            tokens = [t.lower_ for t in make_doc(word.rstrip("*") if prefix else word)]
            for n, token in enumerate(tokens):
                if prefix and n == len(tokens) - 1:
                    pattern.append({"LOWER": {"REGEX": "^" + re.escape(token)}})
                else:
                    pattern.append({"LOWER": token})
    return pattern

