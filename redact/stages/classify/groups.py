"""Layout groups: which lines are reasoned about together, and each line's box in the group's frame."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ...types import TextLine


def line_box(line: TextLine, angle: float | None = None) -> tuple[float, float, float, float, float]:
    """The line's box in its layout frame: the label's upright frame (``angle`` None), or the photo frame turned
    by ``-angle`` degrees (the common frame of several regions read from one physical label)."""
    if angle is None and line.upright:
        xs = [p[0] for p in line.upright]
        ys = [p[1] for p in line.upright]
        return (min(xs), min(ys), max(xs), max(ys), max(max(ys) - min(ys), 1.0))
    poly = line.polygon or line.upright
    if not poly:
        return (0.0, 0.0, 0.0, 0.0, 1.0)
    a = math.radians(-(angle or 0.0))
    ca, sa = math.cos(a), math.sin(a)
    xs = [x * ca - y * sa for x, y in poly]
    ys = [x * sa + y * ca for x, y in poly]
    h = float(line.height) if len(poly) == 4 else max(ys) - min(ys)
    return (min(xs), min(ys), max(xs), max(ys), max(h, 1.0))


def _angle(line: TextLine) -> float | None:
    """Reading direction of a line in the photo (degrees), when its polygon says so reliably."""
    p = line.polygon
    if len(p) != 4 or len(line.text.strip()) < 3:
        return None
    dx, dy = p[1][0] - p[0][0], p[1][1] - p[0][1]
    if math.hypot(dx, dy) < 1.2 * float(line.height):
        return None
    return math.degrees(math.atan2(dy, dx))


def _adiff(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def _circ_median(angles: Sequence[float]) -> float:
    ref = angles[0]
    rel = sorted(((a - ref + 180.0) % 360.0) - 180.0 for a in angles)
    return ref + rel[len(rel) // 2]


def layout_groups(lines: Sequence[TextLine]) -> list[tuple[list[int], float | None]]:
    """Groups of lines reasoned about together, each with its frame.

    A reader may split one physical label into several regions (several ``label_index`` values): lines that
    read in the same direction in the photo form one group in the photo frame turned upright, so captions, blocks
    and repeated values work across regions. A group from a single region keeps that region's upright frame."""
    angles = [_angle(ln) for ln in lines]
    centers: list[list[float]] = []
    members: list[list[int]] = []
    for i in sorted(range(len(lines)), key=lambda i: -len(lines[i].text)):
        a = angles[i]
        if a is None:
            continue
        for k, c in enumerate(centers):
            if _adiff(a, c[0]) <= 25.0:  # the group's first (longest) line sets its direction
                c.append(a)
                members[k].append(i)
                break
        else:
            centers.append([a])
            members.append([i])
    if not members:
        by_label: dict[int, list[int]] = {}
        for i, ln in enumerate(lines):
            by_label.setdefault(ln.label_index, []).append(i)
        return [(idx, None) for _, idx in sorted(by_label.items())]
    for i, a in enumerate(angles):
        if a is not None:
            continue
        # an unreliable line joins the group holding most lines of its region (else the biggest group)
        best = max(
            range(len(members)),
            key=lambda k: (
                sum(1 for j in members[k] if lines[j].label_index == lines[i].label_index),
                len(members[k]),
            ),
        )
        members[best].append(i)
    out: list[tuple[list[int], float | None]] = []
    for k, idx in enumerate(members):
        idx.sort()
        regions = {lines[i].label_index for i in idx}
        if len(regions) == 1 and all(lines[i].upright for i in idx):
            out.append((idx, None))
        else:
            out.append((idx, _circ_median(centers[k])))
    return out
