"""Subclasses of the built-in types that define ``__eq__`` and ``__hash__`` themselves (standard
library only: differential inputs hold them, and sandboxed workers unpickle those inputs).

They compare and hash like their base type, so code that goes through ``==`` and ``hash()``
sees no difference; code that tests ``type(x) is str``, compares identities, or rebuilds the
value as the base type does. Defined at module level so that inputs holding them pickle.
"""

from __future__ import annotations

from typing import Any


class OddStr(str):
    """A ``str`` with its own ``__eq__``/``__hash__``."""

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return str.__hash__(self)


class OddInt(int):
    """An ``int`` with its own ``__eq__``/``__hash__``."""

    def __eq__(self, other: object) -> bool:
        return int.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return int.__hash__(self)


class OddList(list[Any]):
    """A ``list`` with its own ``__eq__`` (lists are unhashable: ``__hash__`` stays None)."""

    def __eq__(self, other: object) -> bool:
        return list.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None


class OddDict(dict[Any, Any]):
    """A ``dict`` with its own ``__eq__`` (unhashable, like dict)."""

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None
