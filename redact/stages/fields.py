"""The classify stage as the pipeline runs it: every field on the photo's labels, the ones the policy masks,
and each field's polygons.

    fields, selected = find_fields(lines, symbols, labels, pixels, policy)

The fields are the classifier's (``classify``: personal items read on the labels, and every symbol), then
the unreadable ones (``unreadable_fields``: print detected but not read where personal fields stand, small
far labels whole), then any the policy adds (deny-list hits); ``selected``: the indices of the fields the
policy masks, sorted. Engine-free: testable with made-up lines.
"""

from __future__ import annotations

from dataclasses import replace
from typing import List, Sequence, Tuple

import numpy as np

from .classify import apply_policy, classify
from .plan import field_polygons
from .unreadable import unreadable_fields
from ..types import Field, Label, Symbol, TextLine


def find_fields(lines: Sequence[TextLine], symbols: Sequence[Symbol], labels: Sequence[Label], pixels: np.ndarray,
                policy) -> Tuple[List[Field], List[int]]:
    """(every field, with its polygons; the indices of those the policy selects, sorted)."""
    fields = list(classify(lines, symbols))
    fields += unreadable_fields(lines, fields, labels, pixels.shape[:2], pixels)
    chosen = apply_policy(fields, policy, lines=lines)
    pos = {id(f): i for i, f in enumerate(fields)}
    selected = []
    for f in chosen:  # the policy may add fields (deny-list hits): keep them too
        if id(f) not in pos:
            pos[id(f)] = len(fields)
            fields.append(f)
        selected.append(pos[id(f)])
    fields = [replace(f, polygons=field_polygons(f, lines, symbols)) for f in fields]
    return fields, sorted(set(selected))
