"""Stand-in of openedx-platform ``xmodule/partitions/partitions.py``: ``Group`` and ``UserPartition``."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Group:
    id: int
    name: str


@dataclass(frozen=True)
class UserPartition:
    id: int
    name: str
    description: str
    groups: list[Group] = field(default_factory=list)
    scheme_id: str = "random"
    active: bool = True
