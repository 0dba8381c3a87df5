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


@dataclass(frozen=True)
class OutletMatch:
    outlet: Outlet
    matched: str  # the alias or domain as found


class RegistryError(ValueError):
    """The registry file is malformed; the message names the entry and the problem."""


def _alias_regex(alias: str) -> str:
    return rf"(?<![\w.-]){re.escape(alias)}(?![\w-])"


def _domain_regex(domain: str) -> str:
    """A domain also matches as the end of a host name: www.rt.com, https://rt.com/x."""
    return rf"(?<![\w-]){re.escape(domain)}(?![\w-])"


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
            for domain in outlet.domains:
                self._by_key.setdefault(domain.lower(), outlet)
                domains.append(domain)
        by_len = lambda a: -len(a)  # longest alias first, so "RT France" wins over "RT"
        self._exact = re.compile("|".join(_alias_regex(a) for a in sorted(set(exact), key=by_len)))
        self._folded = re.compile("|".join(
            [_domain_regex(d) for d in sorted(set(domains), key=by_len)]
            + [_alias_regex(a) for a in sorted(set(folded), key=by_len)]), re.IGNORECASE)

    @classmethod
    def load(cls, path: str | Path) -> "OutletRegistry":
        return _load(str(Path(path).resolve()))

    def match(self, value: str | None) -> list[OutletMatch]:
        """Every outlet named in a metadata string, in order of appearance, without repeats."""
        if not value:
            return []
        found: list[tuple[int, OutletMatch]] = []
        seen: set[str] = set()
        for regex, fold in ((self._folded, True), (self._exact, False)):
            for m in regex.finditer(value):
                text = m.group(0)
                outlet = self._by_key.get(text.lower() if fold else text)
                if outlet is not None and outlet.name not in seen:
                    seen.add(outlet.name)
                    found.append((m.start(), OutletMatch(outlet, text)))
        return [match for _, match in sorted(found, key=lambda x: x[0])]

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
                              entry["affiliation"]))
    actors = {group: tuple(terms) for group, terms in data.get("actors", {}).items()}
    return OutletRegistry(outlets, actors)
