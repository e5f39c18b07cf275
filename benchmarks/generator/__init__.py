"""The photo generator: parcel photos with ground truth (the project's measuring stick).

    from benchmarks.generator import make_photo, LAYOUTS, CONDITIONS, quick_set, full_set
    g = make_photo(seed=3, layout="zh_ecommerce", conditions=("standard",), size="12mp")
    g.image_bytes, g.pixels, g.truth

Truth polygons are in the *displayed* photo frame (EXIF orientation applied), OpenCV pixel-centre
coordinates (pixel (row i, col j) has its centre at x=j, y=i).
"""

from .core import (
    CONDITIONS,
    HARD_CONDITIONS,
    LAYOUTS,
    SIZES,
    STANDARD_CONDITIONS,
    GeneratedPhoto,
    label_items,
    make_photo,
)
from .sets import full_set, quick_set, sample_set
from .truth import CATEGORIES, ROLES, SENSITIVE_CATEGORIES, TRUTH_SCHEMA, validate_truth

__all__ = [
    "CATEGORIES",
    "CONDITIONS",
    "HARD_CONDITIONS",
    "LAYOUTS",
    "ROLES",
    "SENSITIVE_CATEGORIES",
    "SIZES",
    "STANDARD_CONDITIONS",
    "TRUTH_SCHEMA",
    "GeneratedPhoto",
    "full_set",
    "label_items",
    "make_photo",
    "quick_set",
    "sample_set",
    "validate_truth",
]
