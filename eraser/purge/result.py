"""What a purge is made of and what it reports: one table's share, the whole result, the progress."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from eraser.errors import EraserError

ACTIONS = ("delete", "anonymize", "retain", "review")
Key = tuple[Any, ...]
Bounds = tuple[Key | None, Key, int]  # a batch covers lo < key <= hi (lo None: from the first key), with n rows


class TenantError(EraserError):
    """The tenant is unknown, or the config does not say how tables belong to tenants."""

    exit_code = 2


def no_counts() -> dict[str, int]:
    return {a: 0 for a in ACTIONS}


@dataclass
class Part:
    """One table's share of a purge."""

    connector: str
    table: str
    pk: tuple[str, ...]
    owned: bool
    rows: int = 0
    counts: dict[str, int] = field(default_factory=no_counts)
    batches: list[Bounds] = field(default_factory=list)
    release: dict[str, str] | None = None


@dataclass
class Progress:
    """Rows done of the total, with the rate and the estimated time left."""

    total: int
    done: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def rate(self) -> float:
        elapsed = time.perf_counter() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate else None


@dataclass
class PurgeResult:
    purge_id: str
    tenant: str
    mode: str
    parts: list[Part]
    dry_run: bool
    resumed: bool = False
    seconds: float = 0.0
    estimate_seconds: float | None = None
    estimate_basis: str = ""
    export: dict[str, Any] | None = None
    verification: dict[str, Any] = field(default_factory=dict)
    certificate: Any = None
    payload: dict[str, Any] | None = None
    baseline: dict[str, Any] = field(default_factory=dict)  # per table, what the plan saw (rows, retained digest)

    def totals(self) -> dict[str, int]:
        return {a: sum(p.counts[a] for p in self.parts) for a in ACTIONS}

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.parts)

    def appeared(self, p: Part) -> int:
        """Rows of the tenant that appeared in a table while the purge ran (caught by the final pass)."""
        return p.rows - int(self.baseline["tables"][p.connector][p.table]["rows"])

    def part(self, connector: str, table: str) -> Part:
        return next(p for p in self.parts if p.connector == connector and p.table == table)
