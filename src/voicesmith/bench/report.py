"""The bench's table: one row per measure, a column per system, ratios to raw kokoro-onnx."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.table import Table

SYSTEMS = ("raw", "engine", "http")
HEADERS = {"raw": "raw kokoro-onnx", "engine": "voicesmith engine", "http": "voicesmith HTTP"}

Value = float | str | None  # a number, a reason it is missing, or not applicable


@dataclass
class Row:
    measure: str
    unit: str
    values: dict[str, Value]
    better: str = "lower"  # or "higher": how to read the ratio
    fmt: str = "{:.3f}"

    def cell(self, system: str) -> str:
        value = self.values.get(system)
        if value is None:
            return "-"
        if isinstance(value, str):
            return value
        return "n/a" if math.isnan(value) else self.fmt.format(value)

    def ratio(self, system: str) -> str:
        """value / raw's value, when both are numbers."""
        base, value = self.values.get("raw"), self.values.get(system)
        if not isinstance(base, float) or not isinstance(value, float):
            return "-"
        if math.isnan(base) or math.isnan(value) or base == 0:
            return "n/a"
        return f"{value / base:.2f}x"


@dataclass
class BenchResult:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def add(self, measure: str, unit: str, values: dict[str, Value], *, better: str = "lower",
            fmt: str = "{:.3f}") -> Row:
        row = Row(measure, unit, dict(values), better, fmt)
        self.rows.append(row)
        return row

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for row in self.rows:
            item = asdict(row)
            item["values"] = {k: (None if isinstance(v, float) and math.isnan(v) else v)
                              for k, v in row.values.items()}
            rows.append(item)
        return {"rows": rows, "notes": self.notes, "settings": self.settings}


def table(result: BenchResult, title: str = "voicesmith bench") -> Table:
    t = Table("measure", "unit", *(HEADERS[s] for s in SYSTEMS), "engine / raw", "HTTP / raw",
              title=title, caption="ratios are value / raw kokoro-onnx; for 'higher is better' "
                                   "rows (throughput) above 1 is faster, elsewhere below 1 is")
    for row in result.rows:
        t.add_row(row.measure, f"{row.unit} ({row.better} better)",
                  *(row.cell(s) for s in SYSTEMS), row.ratio("engine"), row.ratio("http"))
    return t


def markdown(result: BenchResult) -> str:
    head = ("| measure | unit | " + " | ".join(HEADERS[s] for s in SYSTEMS)
            + " | engine / raw | HTTP / raw |")
    lines = [head, "|" + "---|" * (4 + len(SYSTEMS))]
    for row in result.rows:
        lines.append(f"| {row.measure} | {row.unit} | "
                     + " | ".join(row.cell(s) for s in SYSTEMS)
                     + f" | {row.ratio('engine')} | {row.ratio('http')} |")
    lines += ["", *(f"- {n}" for n in result.notes)]
    return "\n".join(lines) + "\n"
