"""Reading SemEval-2020 Task 11 span annotations."""
import pytest

from pipeline.spans.ptc import SpanDataError, read_ptc
from tests.conftest import write


def test_spans_are_read_and_bad_lines_reported(tmp_path):
    write(tmp_path / "arts" / "article1.txt", "They are traitors. Traitors!")
    write(tmp_path / "arts" / "notes.txt", "not an article")
    labels = write(tmp_path / "labels.tsv", "\n".join([
        "1\tName_Calling,Labeling\t9\t17", "1\tRepetition\t19\t27", "1\tRepetition\t19\t27",
        "1\tDoubt\t20\t999", "2\tDoubt\t0\t3", "1\tDoubt\tx\t3", "1\tDoubt\t0"]))
    corpus = read_ptc(tmp_path / "arts", labels)
    assert list(corpus.articles) == ["1"]
    assert corpus.spans["text"].tolist() == ["traitors", "Traitors", "Traitors"]
    assert len(corpus.problems) == 4
    assert any("outside article 1" in p for p in corpus.problems)
    assert any("no article2.txt" in p for p in corpus.problems)


def test_missing_inputs_are_errors(tmp_path):
    with pytest.raises(SpanDataError, match="not a folder"):
        read_ptc(tmp_path / "none", tmp_path / "l.tsv")
    write(tmp_path / "arts" / "article1.txt", "x")
    with pytest.raises(SpanDataError, match="does not exist"):
        read_ptc(tmp_path / "arts", tmp_path / "l.tsv")
