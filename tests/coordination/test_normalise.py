from pipeline.coordination.normalise import (extract_urls, hashtag_sequence,
                                             load_resolution_table, normalise_text,
                                             normalise_url)


def test_text_ignores_what_copy_paste_networks_vary():
    a = normalise_text("RT @ivan_1: NATO is PROVOKING Russia!!! #StopNATO https://t.co/abc")
    b = normalise_text("NATO is provoking Russia. @friend #peace www.example.org/x?utm_source=tw")
    assert a == b == "nato is provoking russia"


def test_urls_drop_scheme_www_tracking_and_fragment_but_keep_the_page():
    assert normalise_url("https://www.Example.org/news/1/?utm_source=x&id=7#top") == \
        "example.org/news/1?id=7"
    assert normalise_url("http://m.example.org/news/1") == "example.org/news/1"
    assert normalise_url("example.org/news/2") != normalise_url("example.org/news/1")


def test_known_shorteners_resolve_through_the_table_only():
    table = load_resolution_table([("https://bit.ly/3xYz", "https://www.example.org/story?fbclid=1")])
    assert extract_urls("read https://bit.ly/3xYz now", table) == ["example.org/story"]
    assert extract_urls("read https://bit.ly/other now", table) == ["bit.ly/other"]
    assert extract_urls("read https://bit.ly/3xYz now") == ["bit.ly/3xYz"]


def test_hashtag_sequence_keeps_order():
    assert hashtag_sequence("#NATO out #Peace now #nato") == "nato peace nato"
