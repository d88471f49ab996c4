"""Creator roles grouped for the staff page's facets: makers, sitters, others (``rag/data/facet_roles.json``).

Example::

    groups = RoleGroups.load()
    groups.group_of("Photographer")   # "makers"
    groups.group_of("Sitter")         # "sitters"
    groups.split("Artist: Alexander Calder")   # ("Artist", "Alexander Calder")
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

OTHERS = "others"


class RoleGroups:
    """Role word -> group name, from a data file; roles listed nowhere belong to :data:`OTHERS`."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.names = [name for name in groups if not name.startswith("_")] + [OTHERS]
        self._group = {role.casefold(): name for name, roles in groups.items() if not name.startswith("_")
                       for role in roles}

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "RoleGroups":
        path = resources.files("rag.data").joinpath("facet_roles.json")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def group_of(self, role: str | None) -> str:
        return self._group.get((role or "").strip().casefold(), OTHERS)

    @staticmethod
    def split(role_and_name: str) -> tuple[str, str]:
        """ "Role: Name" (the chunks' ``creator_roles``) -> (role, name); no role -> ("", name)."""
        role, sep, name = role_and_name.partition(": ")
        return (role.strip(), name.strip()) if sep else ("", role_and_name.strip())
