"""The model registry: every trained mechanism model, which one is in use, and who decided.

`registry.json` lists versions (folder, training-data hashes, label-store fingerprint,
evaluation metrics, comparison with the champion of the day, status) and an event log
(registered, promoted, refused, rolled back; who, when, forced or not). Version folders live
in `versions/<version>/` and are never changed. The champion is copied into the folder that
`classify.model` names, so runs always load the promoted model; a version whose files no
longer match the SHA-256 in its meta.json is not promoted. Copying a folder keeps its hashes
valid: they are of the files by their name in the folder.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from ..model.io import load_meta, verify_folder
from ..store import utc_now, write_json


class RegistryError(ValueError):
    """A registry operation is not possible; the message says why and what to do."""


class ModelRegistry:
    def __init__(self, path: str | Path, champion_dir: str | Path):
        self.path = Path(path)
        self.champion_dir = Path(champion_dir)
        self.versions_dir = self.path.parent / "versions"

    # -- state -------------------------------------------------------------------------------
    def load(self) -> dict[str, Any]:
        if self.path.exists():
            return json.loads(self.path.read_text(encoding="utf-8"))
        state = {"champion": None, "versions": {}, "events": []}
        if (self.champion_dir / "meta.json").exists():  # adopt the model already in use
            meta = load_meta(self.champion_dir)
            self._archive(self.champion_dir, meta["version"])
            state["versions"][meta["version"]] = self._entry(meta, status="champion")
            state["champion"] = meta["version"]
            state["events"].append({"event": "adopted", "version": meta["version"],
                                    "at": utc_now(), "by": "registry",
                                    "note": f"the model in {self.champion_dir} when the "
                                            f"registry was created"})
            self._save(state)
        return state

    def _save(self, state: dict[str, Any]) -> None:
        write_json(self.path, state)

    @staticmethod
    def _entry(meta: dict[str, Any], status: str, **extra: Any) -> dict[str, Any]:
        return {"version": meta["version"], "status": status, "created_at": meta.get("created_at"),
                "training_data": meta.get("training_data", {}),
                "metrics": {k: meta.get("metrics", {}).get(k)
                            for k in ("headline_macro_f1", "macro_f1", "micro_f1")},
                **extra}

    def _archive(self, folder: Path, version: str) -> Path:
        target = self.versions_dir / version
        if not target.exists():
            tmp = self.versions_dir / f".{version}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(folder, tmp)
            tmp.rename(target)
        return target

    # -- operations --------------------------------------------------------------------------
    def register(self, folder: str | Path, status: str = "candidate", **extra: Any) -> str:
        meta = load_meta(folder)
        state = self.load()
        self._archive(Path(folder), meta["version"])
        state["versions"][meta["version"]] = self._entry(meta, status, **extra)
        state["events"].append({"event": "registered", "version": meta["version"],
                                "at": utc_now(), "by": extra.get("trained_by", "")})
        self._save(state)
        return meta["version"]

    def promote(self, version: str, by: str, forced: bool = False, note: str = "",
                event: str = "promoted") -> None:
        state = self.load()
        if version not in state["versions"]:
            raise RegistryError(f"no model version '{version}' in {self.path}; "
                                f"`disinfo models list` shows the versions.")
        source = self.versions_dir / version
        verify_folder(source)
        # replace the champion folder atomically: copy beside it, then swap
        tmp = self.champion_dir.with_name(f".{self.champion_dir.name}.{version}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(source, tmp)
        old = self.champion_dir.with_name(f".{self.champion_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.champion_dir.exists():
            self.champion_dir.rename(old)
        tmp.rename(self.champion_dir)
        shutil.rmtree(old, ignore_errors=True)
        previous = state["champion"]
        if previous and previous in state["versions"]:
            state["versions"][previous]["status"] = "retired"
        state["versions"][version]["status"] = "champion"
        state["versions"][version].update(promoted_at=utc_now(), promoted_by=by, forced=forced)
        state["champion"] = version
        state["events"].append({"event": event, "version": version, "previous": previous,
                                "at": utc_now(), "by": by, "forced": forced, "note": note})
        self._save(state)

    def refuse(self, version: str, by: str, note: str) -> None:
        state = self.load()
        state["versions"][version]["status"] = "refused"
        state["events"].append({"event": "refused", "version": version, "at": utc_now(),
                                "by": by, "note": note})
        self._save(state)

    def rollback(self, by: str) -> str:
        """Make the champion that the current one replaced the champion again."""
        state = self.load()
        history = [e for e in state["events"] if e["event"] == "promoted"
                   and e["version"] == state["champion"] and e.get("previous")]
        if not history:
            raise RegistryError(f"nothing to roll back to: the champion {state['champion']} "
                                f"did not replace another model.")
        target = history[-1]["previous"]
        self.promote(target, by, note=f"rollback from {state['champion']}", event="rolled back")
        return target

    def list(self) -> list[dict[str, Any]]:
        state = self.load()
        return sorted(state["versions"].values(), key=lambda v: v.get("created_at") or "")

    def show(self, version: str) -> dict[str, Any]:
        state = self.load()
        if version not in state["versions"]:
            raise RegistryError(f"no model version '{version}' in {self.path}.")
        entry = dict(state["versions"][version])
        entry["events"] = [e for e in state["events"] if e["version"] == version]
        comparison = self.versions_dir / version / "comparison.json"
        if comparison.exists():
            entry["comparison"] = json.loads(comparison.read_text(encoding="utf-8"))
        return entry
