import importlib
import json

import pandas as pd
import pytest

from pipeline.clean import clean, extract_html
from pipeline.features.langid import detect_language
from pipeline.ingest import ingest
from pipeline.store import Run
from tests.conftest import write

def run_clean(tmp_path, config, records):
    data = write(tmp_path / "in.jsonl", "\n".join(json.dumps(r) for r in records))
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(data)])
    clean(run, config)
    cleaned = pd.concat(run.iter_table("cleaned")) if run.has_table("cleaned") else pd.DataFrame()
    quarantine = (pd.concat(run.iter_table("quarantine")) if run.has_table("quarantine")
                  else pd.DataFrame(columns=["id", "reason"]))
    return run, cleaned, quarantine


def test_each_quarantine_reason(tmp_path, config):
    config["clean"]["max_chars"] = 200
    config["clean"]["keep_languages"] = ["en"]
    records = [
        {"id": "empty", "text": "   \n\t "},
        {"id": "short", "text": "ok"},
        {"id": "long", "text": "NATO " * 100},
        {"id": "html", "text": "<html><body><div class='ad'></div></body></html>"},
        {"id": "german", "text": "Heute war ein schöner Tag in Berlin, wir waren im Museum."},
        {"id": "good", "text": "NATO held an exercise in Estonia this week, officials said."},
    ]
    run, cleaned, q = run_clean(tmp_path, config, records)
    reasons = dict(zip(q["id"], q["reason"]))
    assert reasons == {"empty": "empty_text", "short": "too_short", "long": "too_long",
                       "html": "html_without_text", "german": "unsupported_language"}
    assert cleaned["id"].tolist() == ["good"]
    acc = run.manifest["accounting"]
    assert acc == {"input_records": 6, "analysed": 1, "quarantined": 5,
                   "duplicates_flagged": 0, "balanced": True}


def test_undecodable_bytes_are_quarantined(tmp_path, config):
    data = write(tmp_path / "in.jsonl", b'{"id": "bad", "text": "caf\xe9 au lait"}\n'
                                        b'{"id": "good", "text": "A normal sentence here."}\n')
    config["ingest"]["encoding"] = "utf-8"  # declared: the Latin-1 byte does not decode
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(data)])
    clean(run, config)
    q = pd.concat(run.iter_table("quarantine")).set_index("id")
    assert q["reason"]["bad"] == "undecodable_bytes" and "ingest.encoding" in q["detail"]["bad"]


def test_duplicates_are_marked_not_removed_unless_drop(tmp_path, config):
    base = "NATO is preparing to attack Belarus from Poland. Share before they delete it!"
    records = [{"id": "a", "text": base}, {"id": "b", "text": base.upper()},
               {"id": "c", "text": base + " Wake up."},
               {"id": "d", "text": "A completely different text about the weather in Riga."}]
    _, cleaned, q = run_clean(tmp_path, config, records)
    marks = cleaned.set_index("id")
    assert marks.loc["b", "dup_of"] == "a" and pd.isna(marks.loc["a", "dup_of"])
    assert marks.loc["c", "near_dup_of"] == "a"
    assert not marks.loc["d", "is_duplicate"] and q.empty
    config2 = dict(config)
    config2["clean"] = dict(config["clean"], dedupe=dict(config["clean"]["dedupe"], drop=True))
    _, cleaned2, q2 = run_clean(tmp_path / "2", config2, records)
    assert sorted(q2["id"]) == ["b", "c"] and set(q2["reason"]) == {"duplicate"}


def test_html_mojibake_and_whitespace_are_repaired(tmp_path, config):
    html = ("<html><head><title>Headline here</title></head><body><nav>Home | Menu</nav>"
            "<article><p>The alliance held talks in Brussels on Tuesday about air defence."
            "</p><p>Officials said more systems would be delivered.</p></article></body></html>")
    records = [{"id": "h", "text": html},
               {"id": "m", "text": "The minister\u00e2\u0080\u0099s  statement   was clear."}]
    _, cleaned, _ = run_clean(tmp_path, config, records)
    rows = cleaned.set_index("id")
    assert rows.loc["h", "is_html"] and "<p>" not in rows.loc["h", "text"]
    assert "Officials said" in rows.loc["h", "text"] and rows.loc["h", "title"] == "Headline here"
    assert rows.loc["m", "text"] == "The minister\u2019s statement was clear."


def test_language_identification():
    assert detect_language("The alliance said the exercise would start on Monday.")[0] == "en"
    assert detect_language("Сегодня в Новосибирске прекрасная погода.")[0] == "ru"


@pytest.mark.parametrize("html", ["<p>Only one short paragraph.</p>"])
def test_extract_html_falls_back_to_plain_text(html):
    text, meta = extract_html(html)
    assert text == "Only one short paragraph." and meta == {}


def test_a_record_that_breaks_cleaning_is_quarantined_not_fatal(tmp_path, config, monkeypatch):
    clean_module = importlib.import_module("pipeline.clean")  # the module, not the function
    real = clean_module.clean_text

    def flaky(raw, cfg):
        if "boom" in raw:
            raise ValueError("parser exploded")
        return real(raw, cfg)
    monkeypatch.setattr(clean_module, "clean_text", flaky)
    _, cleaned, q = run_clean(tmp_path, config, [{"id": "x", "text": "boom goes the text"},
                                                 {"id": "y", "text": "A fine sentence here."}])
    assert cleaned["id"].tolist() == ["y"]
    assert q["reason"].tolist() == ["clean_error"] and "parser exploded" in q["detail"][0]


def test_duplicates_are_counted_in_a_run_folder_named_with_a_quote_and_glob_characters(
        tmp_path, config):
    """The accounting reads the run's own part files (issue #16), not a glob over a folder
    name with `'`, `[x]` and `*`, which would fail or match the decoy folder beside it."""
    base = "NATO is preparing to attack Belarus from Poland. Share before they delete it!"
    records = [{"id": "a", "text": base}, {"id": "b", "text": base},
               {"id": "c", "text": "A completely different text about the weather in Riga."}]
    run_clean(tmp_path / "it's x decoy", config, records + [{"id": "d", "text": base}])
    run, cleaned, _ = run_clean(tmp_path / "it's [x] *", config, records)
    assert cleaned["is_duplicate"].sum() == 1
    assert run.manifest["accounting"]["duplicates_flagged"] == 1


def test_html_pages_give_their_date_site_url_and_author(tmp_path, config):
    page = ("<html><head><title>Die NATO plant</title>"
            '<meta property="og:site_name" content="RT DE">'
            '<meta name="author" content="Max Muster">'
            '<meta property="article:published_time" content="2024-03-01T10:00:00+01:00">'
            '<link rel="canonical" href="https://de.rt.com/international/1234-nato/">'
            "</head><body><article><p>Die NATO bereitet sich angeblich auf einen Krieg vor, "
            "schreibt der Sender. Die Behauptung ist falsch, sagen Experten.</p>"
            "</article></body></html>")
    _, cleaned, _ = run_clean(tmp_path, config, [
        {"id": "page", "text": page},
        {"id": "given", "text": page, "source": "my outlet", "published_at": "2020-01-01"}])
    rows = cleaned.set_index("id")
    assert rows.loc["page", ["title", "source", "author", "url", "published_at"]].tolist() == [
        "Die NATO plant", "RT DE", "Max Muster", "https://de.rt.com/international/1234-nato/",
        "2024-03-01T00:00:00Z"]
    # what the input gives is kept
    assert rows.loc["given", "source"] == "my outlet"
    assert rows.loc["given", "published_at"] == "2020-01-01T00:00:00Z"
