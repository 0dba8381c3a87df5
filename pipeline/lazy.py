"""Packages whose public names are imported on first use (PEP 562).

`import pipeline` and the CLI then start without loading spaCy, scikit-learn and pandas
until a command needs them. A public name may be a function named like its own submodule
(`pipeline.classify`, `pipeline.model.train`): the import system's binding of that submodule
to the package is not kept, so the package attribute stays the function (the submodule is in
sys.modules and `from pipeline.classify import ...` works as usual).
"""
from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any, Mapping


def lazy_api(package: str, api: Mapping[str, str]) -> None:
    """Make `package` resolve each name of `api` (name -> relative module) on first access."""

    class Package(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name not in api:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            value = getattr(import_module(api[name], package), name)
            types.ModuleType.__setattr__(self, name, value)
            return value

        def __setattr__(self, name: str, value: Any) -> None:
            if name in api and isinstance(value, types.ModuleType):
                return
            super().__setattr__(name, value)

        def __dir__(self) -> list[str]:
            return sorted(self.__all__)

    sys.modules[package].__class__ = Package
