"""Photo sets: (layout, conditions, seed) specs."""

from __future__ import annotations

Spec = tuple[str, tuple[str, ...], int]

_QUICK = [
    ("zh_ecommerce", ("standard",)),
    ("zh_privacy", ("gps",)),
    ("zh_sf", ("png",)),
    ("zh_form", ("standard",)),
    ("us_usps", ("standard",)),
    ("us_ups", ("shadow",)),
    ("us_fedex", ("exif_rot", "gps")),
    ("dhl_intl", ("standard",)),
    ("amazon", ("chat1080",)),
    ("in_courier", ("perspective",)),
    ("zh_ecommerce", ("rot90",)),
    ("us_usps", ("rot180", "glare")),
    ("zh_privacy", ("rot270",)),
    ("zh_sf", ("curved",)),
    ("us_ups", ("small",)),
    ("zh_ecommerce", ("lowlight",)),
    ("us_fedex", ("blur",)),
    ("zh_form", ("jpeg",)),
    ("dhl_intl", ("nolabel",)),
    ("amazon", ("crumpled", "shadow")),
    ("in_courier", ("gps", "png")),
    ("us_usps", ("tilt",)),
    ("zh_privacy", ("chat1080", "rot90", "multi")),
    ("zh_ecommerce", ("nolabel", "gps")),
]

_COMBOS_STD = [
    ("standard",),
    ("gps",),
    ("png",),
    ("shadow",),
    ("exif_rot",),
    ("exif_rot", "gps"),
    ("shadow", "gps"),
    ("standard",),
]
_COMBOS_HARD = [
    ("chat1080",),
    ("perspective",),
    ("rot90",),
    ("rot180",),
    ("rot270",),
    ("curved",),
    ("small",),
    ("lowlight",),
    ("blur",),
    ("jpeg",),
    ("perspective", "shadow"),
    ("curved", "blur"),
    ("small", "jpeg"),
    ("rot90", "chat1080"),
    ("lowlight", "perspective"),
    ("rot180", "curved"),
    ("chat1080", "blur"),
    ("small", "rot270"),
    ("perspective", "jpeg"),
    ("rot270", "lowlight"),
    ("tilt",),
    ("tilt", "jpeg"),
    ("tilt", "small"),
    ("crumpled",),
    ("crumpled", "lowlight"),
    ("crumpled", "perspective"),
    ("glare",),
    ("glare", "tilt"),
    ("multi",),
    ("multi", "perspective"),
]


def quick_set(seed: int = 0) -> list[Spec]:
    """~23 photos covering every layout family and every condition at least once."""
    return [(lay, conds, seed + i) for i, (lay, conds) in enumerate(_QUICK)]


def full_set(seed: int = 0, n: int = 240) -> list[Spec]:
    """>= 200 photos: every layout x (standard-set and hard-set conditions), ~5 % no-label photos."""
    from .core import LAYOUTS

    layouts = list(LAYOUTS)
    out: list[Spec] = []
    for i in range(n):
        lay = layouts[i % len(layouts)]
        r = i // len(layouts)
        if i % 20 == 19:
            conds: tuple[str, ...] = ("nolabel",) if i % 40 == 19 else ("nolabel", "chat1080")
        elif r % 2 == 0:
            conds = _COMBOS_STD[(i * 3 + r) % len(_COMBOS_STD)]
        else:
            conds = _COMBOS_HARD[(i * 7 + r) % len(_COMBOS_HARD)]
        out.append((lay, conds, seed + 1000 + i))
    return out


def sample_set() -> list[Spec]:
    """The photos committed under sample_images/."""
    return [
        ("zh_ecommerce", ("standard",), 11),
        ("zh_privacy", ("gps",), 12),
        ("us_usps", ("standard",), 13),
        ("zh_sf", ("rot90", "perspective"), 14),
        ("us_ups", ("nolabel",), 15),
        ("dhl_intl", ("curved",), 16),
    ]
