"""Import aiogram with its pydantic models built on first use instead of all at once.

aiogram declares its ~450 Telegram types `defer_build=True`, then defeats that at the end of
`aiogram/types/__init__.py`: it calls `model_rebuild()` on every type, which builds each one's validator and
serializer, every type inlining the whole graph of types it references. That costs about 110 MB of resident
memory and most of aiogram's import time (measured with bench/idle.py), although a running Tuberry validates
a few dozen of those types.

`import_aiogram()` imports aiogram with that loop turned into what it is for, resolving forward references:
the names it passes that a type's annotations use are put into the type's module (where aiogram imports them
only under TYPE_CHECKING), so pydantic's own deferred build resolves them when a model is first validated or
serialized. Models defined during the import without a `defer_build` of their own (the Bot API methods) are
deferred as well. Behaviour is pydantic's: the same validators, built later (the first getUpdates answer
builds `Update` and everything it references, a fraction of a second). Call it before anything imports
aiogram (the entry point); if aiogram is already imported, or pydantic's internals are not the ones
expected, it is a plain import.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any

from pydantic import BaseModel

_NAME = re.compile(r"[A-Za-z_]\w*")


def import_aiogram() -> None:
    """Import aiogram with its models' validators built on first use (see the module's docstring)."""
    if "aiogram" in sys.modules:
        return
    try:
        from pydantic._internal import _config

        defaults: dict[str, Any] = _config.config_defaults
    except (ImportError, AttributeError):
        importlib.import_module("aiogram")
        return
    if defaults.get("defer_build") is not False:
        importlib.import_module("aiogram")
        return
    rebuild = BaseModel.__dict__["model_rebuild"]

    def deferred_rebuild(cls: type[BaseModel], *args: Any, **kwargs: Any) -> bool | None:
        namespace = kwargs.get("_types_namespace")
        if args or kwargs.get("force") or namespace is None or cls.__pydantic_complete__:
            return rebuild.__func__(cls, *args, **kwargs)
        module = vars(sys.modules[cls.__module__])
        for annotation in vars(cls).get("__annotations__", {}).values():
            for name in _NAME.findall(annotation) if isinstance(annotation, str) else ():
                if name in namespace and name not in module:
                    module[name] = namespace[name]
        return None

    BaseModel.model_rebuild = classmethod(deferred_rebuild)  # type: ignore[method-assign,assignment]
    defaults["defer_build"] = True
    try:
        importlib.import_module("aiogram")
    finally:
        defaults["defer_build"] = False
        BaseModel.model_rebuild = rebuild  # type: ignore[method-assign]
