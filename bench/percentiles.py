"""The percentile the benchmarks report: the value at rank ``round(q * (n - 1))`` of the sorted samples.

Imported by the bench scripts (run as ``python bench/<script>.py``, so this folder is on ``sys.path``).
"""

from __future__ import annotations


def percentile(values: list[float], q: float) -> float:
    """``q`` in [0, 1] (0.5 is the median); NaN when there are no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
