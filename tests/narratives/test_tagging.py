import pytest

from pipeline.narratives.tagging import (Narrative, TaxonomyError, TaxonomyTagger,
                                         load_narratives)


def test_the_eight_narratives_of_the_guide_are_configured():
    ids = [n.id for n in load_narratives()]
    assert ids == ["nato_expansion", "military_provocation", "deterrence_reassurance",
                   "hybrid_cyber", "dialogue_deescalation", "crimea_ukraine",
                   "geopolitical_shift", "western_hostility"]


def test_cues_match_lemmas_and_keep_evidence_sentences():
    tagger = TaxonomyTagger(load_narratives())
    sentences = ["nato hold exercise near the border", "the weather be nice",
                 "the west spread anti russian hysteria", "crimea be annex in NUM"]
    tags = tagger.tag(sentences)
    assert set(tags) >= {"military_provocation", "western_hostility", "crimea_ukraine"}
    assert tags["military_provocation"]["sentences"] == [0]
    assert "exercise" in tags["military_provocation"]["cues"]
    assert tags["western_hostility"]["cues"] == ["anti russian", "hysteria"]
    assert "dialogue_deescalation" not in tags


def test_min_hits_and_malformed_taxonomy(tmp_path):
    tagger = TaxonomyTagger([Narrative("x", "X", "", ("missile",), min_hits=2)])
    assert tagger.tag(["one missile"]) == {}
    assert tagger.tag(["one missile", "two missile"])["x"]["hits"] == 2
    bad = tmp_path / "t.toml"
    bad.write_text('[[narrative]]\nid = "x"\n')
    with pytest.raises(TaxonomyError, match="narrative #1 lacks cues"):
        load_narratives(bad)


def test_gapped_cues_allow_up_to_three_words_between():
    tagger = TaxonomyTagger([Narrative("war", "W", "", ("prepare ... war",))])
    assert tagger.tag(["nato be prepare for a big war"])["war"]["cues"] == [
        "prepare for a big war"]
    assert tagger.tag(["prepare the very long and winding road to war"]) == {}
