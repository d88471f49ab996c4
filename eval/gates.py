"""Release gates: ``--fail-under metric=value`` (floors) and ``--fail-above metric=value`` (ceilings).

Metric names are dotted keys of summary.json: ``overall.hit_at_1``,
``by_kind.factual.hit_at_5``, ``abstention.recall``, ``misinformation.corrected_rate``,
``latency.p95``, and any of them for the questions of one language:
``by_language.fr.by_kind.factual.hit_at_5``, ``by_language.de.abstention.recall``. Names are checked before the run starts, so a typo fails in a second, not
after the whole question set; a metric without a value (e.g. no question of that kind was
evaluated) fails its gate, since nothing was proven.

Example::

    gates = parse_gates(["overall.hit_at_5=0.8"], ["latency.p95=3"])
    failures = check_gates(summary, gates)   # ["overall.hit_at_5 = 0.7500 is under its floor 0.8"]
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

from eval.questions import KINDS
from eval.registry import SECTIONS, group_metric_names

_GROUP_METRICS = group_metric_names()
_SECTIONS: dict[str, tuple[str, ...]] = {
    section: tuple(m.name for m in metrics if m.higher_is_better is not None) for section, metrics in SECTIONS.items()
}
_LANG = re.compile(r"[a-z]{2,3}")


@dataclass(frozen=True)
class Gate:
    metric: str
    bound: float
    direction: Literal["under", "above"]  # "under": fail when value < bound; "above": fail when value > bound

    def __str__(self) -> str:
        return f"{self.metric} {'>=' if self.direction == 'under' else '<='} {self.bound:g}"


def known_metrics() -> list[str]:
    """Every metric name a gate accepts; each again under ``by_language.<lang>.`` (any language code)."""
    names = [f"overall.{m}" for m in _GROUP_METRICS]
    names += [f"by_kind.{k}.{m}" for k in KINDS for m in _GROUP_METRICS]
    names += [f"{section}.{m}" for section, keys in _SECTIONS.items() for m in keys]
    return names + [f"by_language.<lang>.{name}" for name in names if not name.startswith("latency.")]


def is_known_metric(name: str) -> bool:
    parts = name.split(".")
    if len(parts) >= 3 and parts[0] == "by_language":  # by_language.<lang>.<any metric but latency>
        return bool(_LANG.fullmatch(parts[1])) and parts[2] not in ("by_language", "latency") and is_known_metric(
            ".".join(parts[2:])
        )
    if len(parts) == 2 and parts[0] == "overall":
        return parts[1] in _GROUP_METRICS
    if len(parts) == 3 and parts[0] == "by_kind":
        return parts[1] in KINDS and parts[2] in _GROUP_METRICS
    return len(parts) == 2 and parts[1] in _SECTIONS.get(parts[0], ())


def parse_gate(text: str, direction: Literal["under", "above"]) -> Gate:
    """Parse ``metric=value``; raises ValueError with a message a user can act on."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name or not value.strip():
        raise ValueError(f"gate {text!r} must look like metric=value, e.g. overall.hit_at_5=0.8")
    if not is_known_metric(name):
        raise ValueError(
            f"unknown metric {name!r}: use a dotted key of summary.json such as overall.hit_at_1, "
            f"by_kind.factual.hit_at_5, by_language.fr.by_kind.factual.hit_at_5, abstention.recall, misinformation.corrected_rate or latency.p95 "
            f"(group metrics: {', '.join(_GROUP_METRICS)})"
        )
    try:
        bound = float(value)
    except ValueError as exc:
        raise ValueError(f"gate {text!r}: {value.strip()!r} is not a number") from exc
    return Gate(name, bound, direction)


def parse_gates(fail_under: Sequence[str] | None, fail_above: Sequence[str] | None = None) -> list[Gate]:
    return [parse_gate(t, "under") for t in fail_under or []] + [parse_gate(t, "above") for t in fail_above or []]


def load_gates_file(path: Path) -> list[Gate]:
    """Gates kept in a versioned JSON file: ``{"fail_under": {metric: floor}, "fail_above": {metric: ceiling}}``.

    Example file::

        {"fail_under": {"overall.hit_at_5": 0.8, "abstention.recall": 0.5}, "fail_above": {"latency.p95": 5}}
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValueError(f"gates file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"gates file {path} is not valid JSON: {exc}") from exc
    unknown = set(data) - {"fail_under", "fail_above", "comment"} if isinstance(data, dict) else {"(not an object)"}
    if unknown:
        raise ValueError(f"gates file {path}: expected the keys fail_under and fail_above, got {sorted(unknown)}")
    gates = []
    for key, direction in (("fail_under", "under"), ("fail_above", "above")):
        section = data.get(key) or {}
        if not isinstance(section, dict):
            raise ValueError(f"gates file {path}: {key} must map metric names to numbers")
        gates += [parse_gate(f"{name}={value}", direction) for name, value in section.items()]  # type: ignore[arg-type]
    return gates


def lookup(summary: Mapping[str, Any], name: str) -> Any:
    """The value at a dotted key of ``summary`` (None when any part is missing)."""
    node: Any = summary
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def check_gates(summary: Mapping[str, Any], gates: Sequence[Gate]) -> list[str]:
    """One message per failing gate; an empty list means every gate passed."""
    failures = []
    for gate in gates:
        value = lookup(summary, gate.metric)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            failures.append(f"{gate.metric} has no value in this run (needs {gate}); was any question of that kind evaluated?")
        elif gate.direction == "under" and value < gate.bound:
            failures.append(f"{gate.metric} = {value:.4f} is under its floor {gate.bound:g}")
        elif gate.direction == "above" and value > gate.bound:
            failures.append(f"{gate.metric} = {value:.4f} is above its ceiling {gate.bound:g}")
    return failures
