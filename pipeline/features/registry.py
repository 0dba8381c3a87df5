"""The outlet registry (`configs/sources.toml`): outlets, aliases, domains, affiliation."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

AFFILIATIONS = ("state", "state-affiliated", "pro-kremlin", "independent", "institution")


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    country: str
    affiliation: str
    exact_aliases: tuple[str, ...] = ()  # matched case-sensitively whatever their length


@dataclass(frozen=True)
class OutletMatch:
    outlet: Outlet
    matched: str  # the alias or domain as found


class RegistryError(ValueError):
    """The registry file is malformed; the message names the entry and the problem."""


# An alias is a whole name: not glued to a letter, digit, hyphen or dot on the left, and not
# followed by a letter, digit or hyphen, nor by a dot that continues the token. So "RT" matches
# "RT", "RT's", "(RT)", "RT." at the end of a sentence and "RT France", but not "RT-Drucksache",
# "ORT", "RTL", "RT.DE" or "Vesti.lv": a dotted name ("RT.DE", "SNA.IT", "Lenta.ru") resolves only
# when it is itself listed as an alias or domain.
_AFTER_NAME = r"(?![\w-])(?!\.\w)"


def _alias_regex(alias: str) -> str:
    return rf"(?<![\w.-]){re.escape(alias)}{_AFTER_NAME}"


def _domain_regex(domain: str) -> str:
    """A domain also matches as the end of a host name: www.rt.com, https://rt.com/x (but not
    1tv.com.ua or xrt.com)."""
    return rf"(?<![\w-]){re.escape(domain)}{_AFTER_NAME}"


class OutletRegistry:
    """Find outlets in metadata strings (source, url) by alias and domain."""

    def __init__(self, outlets: list[Outlet], actors: dict[str, tuple[str, ...]]):
        self.outlets = outlets
        self.actors = actors
        exact, folded, domains = [], [], []
        self._by_key: dict[str, Outlet] = {}
        for outlet in outlets:
            for alias in (outlet.name, *outlet.aliases):
                key = alias if len(alias) <= 4 else alias.lower()
                self._by_key.setdefault(key, outlet)
                (exact if len(alias) <= 4 else folded).append(alias)
            for alias in outlet.exact_aliases:
                self._by_key.setdefault(alias, outlet)
                exact.append(alias)
            for domain in outlet.domains:
                self._by_key.setdefault(domain.lower(), outlet)
                domains.append(domain)
        # Longest name first (domains and aliases together), so "RT France" wins over "RT".
        longest_first = lambda name: (-len(name), name)
        self._exact = re.compile("|".join(
            _alias_regex(a) for a in sorted(set(exact), key=longest_first)))
        self._folded = re.compile("|".join(
            to_regex(name) for name, to_regex in sorted(
                {(d, _domain_regex) for d in domains} | {(a, _alias_regex) for a in folded},
                key=lambda item: longest_first(item[0]))), re.IGNORECASE)

    @classmethod
    def load(cls, path: str | Path) -> "OutletRegistry":
        return _load(str(Path(path).resolve()))

    def match(self, value: str | None) -> list[OutletMatch]:
        """Every outlet named in a metadata string, in order of appearance, without repeats."""
        if not value:
            return []
        candidates: list[tuple[int, int, OutletMatch]] = []
        for regex, fold in ((self._folded, True), (self._exact, False)):
            for m in regex.finditer(value):
                text = m.group(0)
                outlet = self._by_key.get(text.lower() if fold else text)
                if outlet is not None:
                    candidates.append((m.start(), m.end(), OutletMatch(outlet, text)))
        # Leftmost-longest, without overlaps: "RIA FAN" is not also "RIA", "Sputnik & Pogrom"
        # is not also "Sputnik", "Krasnaya Zvezda" is not also "Zvezda".
        found: list[OutletMatch] = []
        seen: set[str] = set()
        last_end = -1
        for start, end, match in sorted(candidates, key=lambda c: (c[0], c[0] - c[1])):
            if start < last_end:
                continue
            last_end = end
            if match.outlet.name not in seen:
                seen.add(match.outlet.name)
                found.append(match)
        return found

    def by_affiliation(self, value: str | None, affiliations: tuple[str, ...]) -> list[OutletMatch]:
        return [m for m in self.match(value) if m.outlet.affiliation in affiliations]


@lru_cache(maxsize=8)
def _load(path: str) -> OutletRegistry:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise RegistryError(f"outlet registry {path} does not exist (set features.sources).")
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"outlet registry {path} is not valid TOML: {exc}") from exc
    outlets = []
    for i, entry in enumerate(data.get("outlet", []), start=1):
        missing = {"name", "country", "affiliation"} - set(entry)
        if missing:
            raise RegistryError(f"{path}: outlet #{i} lacks {', '.join(sorted(missing))}.")
        if entry["affiliation"] not in AFFILIATIONS:
            raise RegistryError(f"{path}: outlet '{entry['name']}' has affiliation "
                                f"'{entry['affiliation']}'; allowed: {', '.join(AFFILIATIONS)}.")
        outlets.append(Outlet(entry["name"], tuple(entry.get("aliases", [])),
                              tuple(entry.get("domains", [])), entry["country"],
                              entry["affiliation"], tuple(entry.get("exact_aliases", []))))
    actors = {group: tuple(terms) for group, terms in data.get("actors", {}).items()}
    return OutletRegistry(outlets, actors)
