import pandas as pd
import pytest

from pipeline.ingest.columns import (MappingError, content_id, normalise, parse_dates,
                                     parse_mapping, resolve_columns)


@pytest.mark.parametrize("columns, expected", [
    (["Body", "Headline", "Outlet", "Account", "Created_At", "Link", "Language", "ID"],
     {"text": "Body", "title": "Headline", "source": "Outlet", "author": "Account",
      "published_at": "Created_At", "url": "Link", "lang": "Language", "id": "ID"}),
    (["message", "user", "timestamp", "domain"],
     {"text": "message", "author": "user", "published_at": "timestamp", "source": "domain"}),
    (["content", "publisher", "date", "handle"],
     {"text": "content", "source": "publisher", "published_at": "date", "author": "handle"}),
    (["summary", "title"], {"text": "summary", "title": "title"}),
])
def test_common_column_names_are_detected(columns, expected):
    resolved = resolve_columns(columns, {})
    for field, column in expected.items():
        assert resolved[field] == column


def test_map_overrides_detection_and_takes_the_column():
    resolved = resolve_columns(["text", "title", "outlets", "date"],
                               {"text": "title", "source": "outlets"})
    assert resolved["text"] == "title" and resolved["source"] == "outlets"
    assert resolved["title"] is None  # 'title' is taken by text, not used twice


def test_map_to_missing_column_names_available_ones():
    with pytest.raises(KeyError, match="no such column; the input has a, b"):
        resolve_columns(["a", "b"], {"text": "body"})


def test_parse_mapping_errors():
    assert parse_mapping(["text=title", "source = outlets"]) == {"text": "title",
                                                                  "source": "outlets"}
    with pytest.raises(MappingError, match="field=column"):
        parse_mapping(["text"])
    with pytest.raises(MappingError, match="unknown field 'body'"):
        parse_mapping(["body=text"])


def test_dates_are_utc_iso_and_unparseable_become_null():
    raw = pd.Series(["2021-02-18", "2019-03-01T10:00:00+02:00", "1600000000",
                     "1600000000000", "not a date", None, "18/02/2021"])
    out = parse_dates(raw, dayfirst=True)
    assert out.tolist()[:4] == ["2021-02-18T00:00:00Z", "2019-03-01T08:00:00Z",
                                "2020-09-13T12:26:40Z", "2020-09-13T12:26:40Z"]
    assert out[4] is None and out[5] is None
    assert out[6] == "2021-02-18T00:00:00Z"


def test_float_epochs_and_out_of_range_dates():
    raw = pd.Series(["1709455468.0", "1709455468123.5", "9999-12-31", "1677-09-21",
                     "31/12/9999", "2020-01-01"])
    out = parse_dates(raw, dayfirst=True).tolist()
    assert out[:2] == ["2024-03-03T08:44:28Z", "2024-03-03T08:44:28Z"]
    # sentinels beyond the representable range are unparseable; their neighbours still parse
    assert out[2:5] == [None, None, None] and out[5] == "2020-01-01T00:00:00Z"


def test_normalise_keeps_other_columns_as_meta_and_counts_bad_dates():
    records = [{"body": "x", "when": "yesterday-ish", "likes": 3, "_rev": "a1"},
               {"body": "y", "when": "2020-01-01", "likes": 5, "_rev": "a2"},
               {"body": 42, "when": "2020-01-01", "likes": 5, "_rev": "a3"}]
    columns = resolve_columns(["body", "when", "likes", "_rev"], {"published_at": "when"})
    df, bad, rejected = normalise(records, columns, dayfirst=False, positions=[7, 8, 9],
                                  undecodable=[False, True, False])
    assert bad == 1 and df["published_at"].isna().tolist() == [True, False]
    # columns starting with "_" are data like any other
    assert '"likes": 3' in df["meta"][0] and '"_rev": "a1"' in df["meta"][0]
    assert df["input_record"].tolist() == [7, 8] and df["undecodable"].tolist() == [False, True]
    # a number in the text column is not analysed as "42"
    assert [(i, why) for i, why, _ in rejected] == [(2, "invalid_text")]
    assert "holds a int" in rejected[0][2]


def test_content_id_is_stable_and_content_sensitive():
    a = {"text": "same", "author": "x"}
    assert content_id(a) == content_id(dict(a))
    assert content_id(a) != content_id({"text": "same", "author": "y"})


def test_nested_fields_are_reachable_and_objects_give_their_name():
    records = [{"full_text": "a post", "user": {"id_str": "1", "screen_name": "rt_com"},
                "entities": {"urls": [{"expanded_url": "https://x.org"}]}},
               {"full_text": "another", "user": {"id_str": "2", "screen_name": "sputnik"}}]
    auto = resolve_columns(["full_text", "user", "entities"], {})
    df, _, _ = normalise(records, auto, False, [1, 2], [False, False])
    assert df["author"].tolist() == ["rt_com", "sputnik"]  # not "{'id_str': ...}"
    mapped = resolve_columns(["full_text", "user", "entities"], {"author": "user.id_str"})
    df, _, rejected = normalise(records, mapped, False, [1, 2], [False, False])
    assert df["author"].tolist() == ["1", "2"] and not rejected
    with pytest.raises(KeyError, match="no such column"):
        resolve_columns(["full_text"], {"author": "account.name"})
