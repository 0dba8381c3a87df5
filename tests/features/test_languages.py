import pandas as pd
import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.features.languages import (CUE_NAMES, TERM_LISTS, LanguageFileError,
                                         load_language, load_languages)
from pipeline.features.parse import DocParser

FOLDER = PROJECT_ROOT / "configs" / "languages"


def test_every_shipped_language_file_loads_with_every_cue():
    languages = load_languages(str(FOLDER))
    assert {"ru", "uk", "de"} <= set(languages)
    for code, lang in languages.items():
        assert set(lang.cues) == set(CUE_NAMES), code
        assert set(lang.terms) == set(TERM_LISTS), code
        assert all(lang.cues[name] for name in ("acc_propaganda", "acc_lies",
                                               "stance_refute", "nato_provocation")), code


def test_a_language_file_must_name_its_language_and_known_cues(tmp_path):
    wrong = tmp_path / "ru.toml"
    wrong.write_text('language = "uk"\n', encoding="utf-8")
    with pytest.raises(LanguageFileError, match="file's name"):
        load_language(wrong)
    unknown = tmp_path / "pl.toml"
    unknown.write_text('language = "pl"\n[cues]\nacc_lies_typo = ["kłam*"]\n',
                       encoding="utf-8")
    with pytest.raises(LanguageFileError, match="acc_lies_typo"):
        load_language(unknown)
    english = tmp_path / "en.toml"
    english.write_text('language = "en"\n', encoding="utf-8")
    with pytest.raises(LanguageFileError, match="English"):
        load_language(english)


@pytest.fixture(scope="module")
def parser():
    return DocParser(languages=str(FOLDER)).fit(None)


def _cues(parser, text, lang):
    return parser.transform(pd.DataFrame({"text": [text], "lang": [lang]}))[0].cues


@pytest.mark.parametrize("lang, text, expected", [
    # inflected forms through stems: пропагандой, лжи, русофобии
    ("ru", "Западные СМИ распространяют ложь и пропаганду, подогревая русофобию.",
     {"acc_propaganda", "acc_russophobia"}),
    ("ru", "Доказательств не приводится. Это повторяющийся нарратив прокремлёвской "
           "дезинформации.", {"stance_refute"}),
    ("uk", "НАТО готує напад на Росію біля наших кордонів.", {"nato_mention", "nato_with_war"}),
    ("de", "Westliche Medien verbreiten russophobe Lügen und Propaganda.",
     {"acc_lies", "acc_propaganda", "acc_russophobia"}),
    ("de", "Dafür gibt es keine Beweise.", {"stance_refute"}),
])
def test_language_cues_fire_on_inflected_text(parser, lang, text, expected):
    assert expected <= set(_cues(parser, text, lang))


def test_documents_are_parsed_by_their_language(parser):
    docs = parser.transform(pd.DataFrame({
        "text": ["НАТО готовит нападение на Россию.", "NATO is preparing an attack on Russia.",
                 "NATO przygotowuje atak na Rosję."],
        "lang": ["ru", None, "xx"]}))
    assert [d.lang for d in docs] == ["ru", "en", "xx"]
    assert "nato_with_war" in docs[0].cues and "nato_with_war" in docs[1].cues
    # English lemmas come from the English pipeline; a language without a file gets it too
    assert docs[1].sent_lemmas[0].startswith("nato be prepare")
    assert docs[2].sent_lemmas[0].startswith("nato przygotowuje")


def test_a_stem_matches_only_at_the_start_of_a_token(parser):
    # "пропаганд*" must not fire inside another word, and a common word must stay silent
    cues = _cues(parser, "Контрпропагандистский отдел провёл встречу в среду.", "ru")
    assert "acc_propaganda" not in cues
