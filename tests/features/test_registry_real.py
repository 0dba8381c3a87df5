"""The outlet registry resolves the outlet strings that real data writes.

The EUvsDisinfo files name outlets in free text ("Vremya pokazhet @Pervyi kanal, 1:05:50",
"Sputnik Czech Republic", "de.rt.com", "RT Germany - YouTube"). Every string that names a state
outlet must resolve to a state or state-affiliated outlet of the registry. Which strings name
one is decided here by a broad regex of name fragments, independent of the registry's aliases,
so that a spelling the registry does not know shows up as a failure.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pipeline.features.registry import OutletRegistry

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
CASES = SHARED_DATA / "euvsdisinfo_cases" / "cases.csv"
POSTS = SHARED_DATA / "euvsdisinfo_posts" / "posts.csv"
STATE = ("state", "state-affiliated")


@pytest.fixture(scope="module")
def registry() -> OutletRegistry:
    return OutletRegistry.load(REPO / "configs" / "sources.toml")


def resolved(registry: OutletRegistry, value: str) -> list[str]:
    return [m.outlet.name for m in registry.by_affiliation(value, STATE)]


# --- Without the data ----------------------------------------------------------------------

@pytest.mark.parametrize("value, outlet", [
    ("RT.DE", "RT"),
    ("de.rt.com", "RT"),
    ("https://de.rt.com/international/1", "RT"),
    ("RT Deutsch", "RT"),
    ("RT Germany - YouTube", "RT"),
    ("Russia Today (RT)", "RT"),
    ("RT's correspondent", "RT"),
    ("SNA.IT", "Sputnik"),
    ("SNA.DE", "Sputnik"),
    ("Sputnik Italia", "Sputnik"),
    ("Sputnik Česká republika", "Sputnik"),
    ("Sputnik Czech Republic", "Sputnik"),
    ("Vremya pokazhet @Pervyi kanal, 1:05:50", "Channel One"),
    ("Petr Tolstoy's \"Vremya Pokazhet\", political talk show, 24:56", "Channel One"),
    ("Perviy kanal", "Channel One"),
    ("1tv.ru", "Channel One"),
    ("Rossiya 24", "Rossiya 24"),
    ("Vesti", "Rossiya 1"),
    ("Vecher s Vladimirom Solovyevym, time 1:37:33", "Rossiya 1"),
    ("ria.ru", "RIA Novosti"),
    ("ukraina.ru", "Ukraina.ru"),
    ("tvzvezda.ru", "TV Zvezda"),
    ("Zvezda", "TV Zvezda"),
    ("Russia's Armed Forces newspaper Krasnaya Zvezda", "Krasnaya Zvezda"),
    ("Argumenty i Fakty", "Argumenty i Fakty"),
    ("aif.ru", "Argumenty i Fakty"),
    ("Pravo znat @ TVTs Centre (time: 27:42)", "TV Tsentr (TVC)"),
    ("tvc.ru", "TV Tsentr (TVC)"),
    ("pnp.ru", "Parlamentskaya Gazeta"),
    ("redstar.ru", "Krasnaya Zvezda"),
])
def test_state_outlet_names_resolve(registry, value, outlet):
    assert resolved(registry, value) == [outlet]


@pytest.mark.parametrize("value", [
    "BT-Drucksache 19/1234",  # a Bundestag document, not Belarusian television
    "ORT-Drucksache",
    "RT-Drucksache",
    "Syria",
    "RTL",
    "ORT",
    "Sputnik & Pogrom",  # a nationalist web magazine, not Sputnik
    "Vesti.lv",  # Latvian, not VGTRK's Vesti
    "Vesti Ukraina",
    "1tv.com.ua",  # Ukrainian public television, not Channel One
    "xrt.com",
    "mir24.tv",
    "life.ru",
    "Interfax",
    "Rosbalt",
    "Moskovskij Komsomolets",
    "SNA fighters entered Afrin",  # the Syrian National Army, not Sputnik's SNA brand
])
def test_other_strings_do_not_resolve_to_a_state_outlet(registry, value):
    assert resolved(registry, value) == []


def test_overlapping_names_resolve_to_the_longest(registry):
    names = lambda s: [m.outlet.name for m in registry.match(s)]
    assert names("RIA FAN") == ["RIA FAN"]
    assert names("Krasnaya Zvezda") == ["Krasnaya Zvezda"]
    assert names("Radio Vesti") == ["Radio Sputnik / Vesti FM"]
    assert names("Vesti Nedeli on Rossiya 24") == ["Rossiya 1", "Rossiya 24"]


# --- With the data -------------------------------------------------------------------------

# Name fragments of state and state-affiliated outlets, written independently of the registry.
# Short abbreviations are case-sensitive; the rest are not.
_CASE_SENSITIVE = [r"\bRT\b", r"\bRTR\b", r"\bSNA\b", r"\bRIA\b", r"\bRIAN\b", r"\bNTV\b",
                   r"\bAiF\b", r"\bTVC\b", r"\bTVTs\b"]
_FOLDED = [
    r"russia[ -]?today", r"sputnik", r"\btass\b", r"\bnovosti\b", r"rossiya segodnya",
    r"\bross?i[iy]?a\b", r"\brussia[ -]?(?:1|24)\b", r"\bvesti\b", r"\bperv", r"channel (?:one|1)\b",
    r"first channel", r"\b1tv\b", r"zvezd", r"izvest", r"ross?i[iy]?skaya gazeta",
    r"\bren[ .-]?tv\b", r"komsomolsk", r"argument[iy] i fakt", r"\baif\b", r"tv ?(?:ts|c)ent",
    r"parlamentskaya", r"solov[iy]?[eo]v", r"kiselyov|kiselev", r"vgtrk|smotrim",
    r"inosmi|inotv", r"ukraina\.ru", r"baltnews", r"ruptly", r"vremya pok", r"60 min",
    r"mesto vstrechi",
    r"вести|первый канал|рен тв|нтв|звезд|известия|российская газета",
]
STATE_NAME = re.compile("|".join(_CASE_SENSITIVE) + "|(?i:" + "|".join(_FOLDED) + ")")

# Strings that match a fragment but do not name a state or state-affiliated outlet.
NOT_STATE_OUTLETS = {
    # "Novosti" (news) in the names of other outlets, not RIA Novosti
    "Aktualnye Novosti",
    "Brianskiye Novosti",
    "Novosti Novorossii",
    "Novosti. Zdes i seychas",
    "Večernje novosti",  # Serbian daily
    # "Pervyi" (first) in other channels' names, not Channel One
    "Pervyiy Sevastopolskiy",  # Sevastopol city channel
    "Pervyy Respublikanskiy Telekanal",  # the "Donetsk People's Republic" channel
    "1tv.com.ua",  # Ukrainian public television (UA:Pershyi)
    # "Vesti" (news) in other outlets' names, not VGTRK's Vesti
    "Vesti.lv",  # Latvian
    "vesti.lv",
    "vesti.bb.lv",
    "Vesti.ukr",  # Ukrainian daily Vesti
    "Vesti.ua",
    "Vesti Ukraina",
    "vesti-ukr.com",
    "Vesti online",  # Serbian diaspora site
    "Rossiyskiye Vesti",  # weekly newspaper
    "russ-vesti.ru",  # a news site, not a VGTRK domain
    # "Sputnik" in a name that is not a Sputnik (Rossiya Segodnya) site
    "sputnikbig.ru (closed)",
    "Sputnik & Pogrom",  # nationalist web magazine (not in the data today)
}


def _outlet_strings() -> dict[str, set[str]]:
    if not (CASES.exists() and POSTS.exists()):
        pytest.skip(f"real data not available: {SHARED_DATA} (euvsdisinfo_cases/cases.csv and "
                    "euvsdisinfo_posts/posts.csv) is absent")
    found: dict[str, set[str]] = {"cases.csv": set(), "posts.csv": set()}
    with open(CASES, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if (row["outlet"] or "").strip():
                found["cases.csv"].add(row["outlet"].strip())
    with open(POSTS, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for value in (row["outlets"] or "").split("+"):
                name = value.rsplit(" - ", 1)[0] if " - " in value else value  # "Name - Language"
                if name.strip():
                    found["posts.csv"].add(name.strip())
    return found


def test_every_state_outlet_string_in_the_data_resolves(registry):
    unresolved, checked = {}, {}
    for source, values in _outlet_strings().items():
        named = sorted(v for v in values if STATE_NAME.search(v) and v not in NOT_STATE_OUTLETS)
        checked[source] = len(named)
        missing = [v for v in named if not resolved(registry, v)]
        if missing:
            unresolved[source] = missing
    assert all(checked.values()), f"no state outlet found in the data: {checked}"
    assert not unresolved, "outlet strings that name a state outlet but do not resolve:\n" + \
        "\n".join(f"  {src}: {v!r}" for src, vs in unresolved.items() for v in vs)


def test_allow_list_entries_do_not_resolve_to_a_state_outlet(registry):
    wrong = [v for v in NOT_STATE_OUTLETS if resolved(registry, v)]
    assert not wrong, f"allow-listed strings resolve to a state outlet: {wrong}"


@pytest.mark.parametrize("text, outlet", [
    ("Первый канал", "Channel One"), ("РИА Новости", "RIA Novosti"), ("ТАСС", "TASS"),
    ("Звезда", "TV Zvezda"), ("RT на русском", "RT"), ("Спутник", "Sputnik"),
    ("Россия 1", "Rossiya 1"), ("Вести недели", "Rossiya 1"), ("RT DE", "RT"),
    ("Sputnik Česká republika", "Sputnik"), ("Sputnik Polska", "Sputnik"),
    ("сообщает ТАСС со ссылкой на Минобороны", "TASS"),
])
def test_cyrillic_and_edition_names_resolve(registry, text, outlet):
    assert [m.outlet.name for m in registry.match(text)] == [outlet]


@pytest.mark.parametrize("text", [
    "Над городом сияла яркая звезда.",       # a star, not TV Zvezda
    "Его взгляд на НАТО изменился.",          # a look, not Vzglyad
    "Ведомости сообщили о сделке.",           # an independent business daily, not Vesti
    "Первый раз за десять лет.",             # "first", not Channel One
])
def test_common_words_are_not_outlets(registry, text):
    assert registry.match(text) == []
