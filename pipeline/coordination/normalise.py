"""What two posts must share to count as the same message, link or hashtag sequence.

Text is compared after removing what copy-paste networks vary on purpose and what share
buttons add: URLs, @mentions, hashtags, a leading retweet marker, case and punctuation.
Links are compared after normalising the URL (scheme, `www.`, tracking parameters, fragment,
trailing slash) and, for known shorteners, after looking the short link up in a resolution
table (a platform export's expanded URLs): the tool never fetches anything.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
MENTION = re.compile(r"(?<![\w@])@\w+")
HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
RETWEET = re.compile(r"^\s*rt\s+@\w+\s*:?", re.IGNORECASE)
NON_WORD = re.compile(r"[^\w]+")
_STRIP = re.compile("|".join(p.pattern for p in (URL, MENTION, HASHTAG)), re.IGNORECASE)

SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "t.co", "tinyurl.com", "ow.ly", "goo.gl", "buff.ly", "dlvr.it",
    "is.gd", "ift.tt", "tiny.cc", "rebrand.ly", "cutt.ly", "shorturl.at", "t.ly", "lnkd.in",
    "fb.me", "youtu.be", "trib.al", "j.mp", "s.id", "v.gd", "clck.ru", "vk.cc"})
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|igshid|mc_cid|mc_eid|ref|ref_src|s|si|cmpid)$",
                      re.IGNORECASE)


def normalise_text(text: str) -> str:
    """Lower-cased words of a post with URLs, mentions, hashtags, a retweet marker and
    punctuation removed: `"RT @a: NATO lies! #x https://t.co/1"` -> `"nato lies"`."""
    text = _STRIP.sub(" ", RETWEET.sub(" ", text))
    return " ".join(NON_WORD.sub(" ", text.lower()).replace("_", " ").split())


def normalise_url(url: str, resolve: Mapping[str, str] | None = None) -> str:
    """A comparable form of a URL: no scheme, `www.` or `m.`, tracking parameters, fragment or
    trailing slash; hosts lower-cased; short links replaced by their target when `resolve`
    (keyed by the normalised short link) knows it."""
    url = url.strip().rstrip(".,;:!?)]}'\"")
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.lower()
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING.match(k)])
    path = parts.path.rstrip("/")
    key = host + path + (f"?{query}" if query else "")
    if resolve and host in SHORTENERS and key in resolve:
        return normalise_url(resolve[key])
    return key


def extract_urls(text: str, resolve: Mapping[str, str] | None = None) -> list[str]:
    return [normalise_url(u, resolve) for u in URL.findall(text)]


def hashtag_sequence(text: str) -> str:
    """The post's hashtags, lower-cased, in order (`"#a #B"` -> `"a b"`)."""
    return " ".join(tag.lower() for tag in HASHTAG.findall(text))


def load_resolution_table(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """{normalised short link: target} from (short, target) pairs."""
    return {normalise_url(short): target for short, target in rows}
