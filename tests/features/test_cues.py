import pytest

from pipeline.features.parse import DocParser, direction_of
from pipeline.features.registry import OutletRegistry, RegistryError


@pytest.fixture(scope="module")
def parser():
    return DocParser().fit(None)


@pytest.mark.parametrize("text, direction", [
    ("Western media are spreading Russophobic propaganda to turn Europeans against Russia.",
     "RU->WEST"),
    ("The West is waging an information war against Russia.", "RU->WEST"),
    ("Russophobia has become the official ideology of the Baltic states.", "RU->WEST"),
    ("The Kremlin's disinformation machine is working at full speed, the EU said.", "WEST->RU"),
    ("The Lithuanian foreign minister called RT a mouthpiece of Kremlin propaganda.",
     "WEST->RU"),
    ("Russia is waging an information war against Europe.", "WEST->RU"),
    ("China accused the United States of spreading lies about the origin of the virus.",
     "other"),
    ("The chancellor keeps stoking anti-Russian hysteria.", "RU->WEST"),
    ("Russia is demonised by being blamed for everything.", "RU->WEST"),
    ("British authorities are exploiting the case for anti-Russian propaganda.", "RU->WEST"),
])
def test_accusation_direction(parser, text, direction):
    doc = parser.transform([text])[0]
    assert direction_of(doc) == direction


def test_no_accusation_no_direction(parser):
    doc = parser.transform(["NATO began its annual exercise in the Baltic Sea on Monday."])[0]
    assert doc.accusations == [] and direction_of(doc) is None


def test_outlet_attribution_retweets_and_vaccines(parser):
    cited, retweet, vaccine, ministry = parser.transform([
        "According to Sputnik, NATO is massing troops near the border.",
        "RT @anna: lovely weather in Riga today",
        "Ukraine refused the Sputnik V vaccine.",
        "Russia's foreign ministry said on Wednesday it would respond, Reuters reported."])
    assert cited.cues["attrib_state_outlet"] == 1
    assert "outlet_state" not in retweet.cues
    assert "outlet_state" not in vaccine.cues
    assert "attrib_state_outlet" not in ministry.cues and ministry.cues["outlet_independent"]


def test_nato_frames_and_coordination_cues(parser):
    doubt, coord = parser.transform([
        "The so-called defensive alliance is preparing for war; its real aim is to encircle "
        "Russia. Why else would the alliance hold drills at our border?",
        "Hundreds of fake accounts posted the identical message within minutes."])
    for cue in ("nato_defensive_doubt", "nato_war_prep", "nato_real_aim", "nato_encircle",
                "nato_question"):
        assert doubt.cues.get(cue), cue
    for cue in ("coord_bots", "coord_accounts", "coord_identical"):
        assert coord.cues.get(cue), cue


def test_sentences_have_offsets_into_the_text(parser):
    doc = parser.transform(["First sentence here. Second one follows!"])[0]
    assert [doc.text[s:e] for s, e in doc.sents] == ["First sentence here.",
                                                      "Second one follows!"]
    assert doc.sentence(1).text == "Second one follows!"


def test_fast_profile_parses_without_a_parser():
    fast = DocParser(spacy_model="blank:en").fit(None)
    doc = fast.transform(["Western propaganda lies. NATO is preparing for war."])[0]
    assert len(doc.sents) == 2 and doc.cues.get("acc_propaganda")


def test_registry_matches_aliases_domains_and_multi_valued_sources():
    reg = OutletRegistry.load("configs/sources.toml")
    names = lambda s: [m.outlet.name for m in reg.match(s)]
    assert names("Sputnik Poland - Polish+tvzvezda.ru - Russian") == ["Sputnik", "TV Zvezda"]
    assert names("Petr Tolstoy's \"Vremya Pokazhet\"") == ["Channel One"]
    assert names("https://www.rt.com/news/1") == ["RT"]
    assert names("Reuters") == ["Reuters"] and names("albidda.net") == []
    assert names("a courtesy call") == []  # short aliases match case-sensitively only


def test_registry_errors_name_the_entry(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text('[[outlet]]\nname = "X"\ncountry = "RU"\naffiliation = "evil"\n')
    with pytest.raises(RegistryError, match="outlet 'X' has affiliation 'evil'"):
        OutletRegistry.load(bad)


def test_optional_entity_cues_and_unknown_cue_sets():
    parser = DocParser(cue_sets=("entities.v1",)).fit(None)
    doc = parser.transform(["Vladimir Putin met Olaf Scholz in Berlin."])[0]
    assert doc.cues.get("ent_PERSON") == 2 and doc.cues.get("ent_GPE") == 1
    with pytest.raises(ValueError, match="unknown cue set"):
        DocParser(cue_sets=("nope.v1",)).fit(None)


def test_stance_cues_tell_a_debunk_from_a_claim(parser):
    debunk, claim, staged = parser.transform([
        "No evidence given. The claim that NATO threatens Russia is a recurring pro-Kremlin "
        "narrative; in fact the deployments are defensive.",
        "NATO is preparing an attack on Russia from Poland.",
        "The chemical attack was staged by the White Helmets, a false flag to blame Assad."])
    for cue in ("stance_refute", "stance_debunk_frame", "stance_report", "stance_defend"):
        assert debunk.cues.get(cue), cue
    assert not any(k.startswith("stance_") for k in claim.cues)
    assert staged.cues.get("acc_fakery", 0) >= 2


def test_cue_patterns_work_without_a_lemmatizer():
    fast = DocParser(spacy_model="blank:en").fit(None)
    doc = fast.transform(["There is no evidence that NATO troops were sent."])[0]
    assert doc.cues.get("stance_refute")
