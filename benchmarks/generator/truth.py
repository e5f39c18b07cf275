"""The truth file's schema (JSON Schema, draft 2020-12) and a validator for it."""

from __future__ import annotations

CATEGORIES = (
    "name",
    "phone",
    "address",
    "id_number",
    "tracking_number",
    "email",
    "postal_code",
    "barcode",
    "qrcode",
    "other",
)
SENSITIVE_CATEGORIES = CATEGORIES[:-1]
ROLES = ("recipient", "sender", "none")

_POINT = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}

TRUTH_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "parcel photo ground truth",
    "type": "object",
    "required": [
        "image",
        "width",
        "height",
        "seed",
        "layout",
        "locale",
        "set",
        "conditions",
        "gps",
        "exif_orientation",
        "items",
    ],
    "properties": {
        "image": {"type": "string"},
        "width": {"type": "integer", "minimum": 1},
        "height": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer"},
        "layout": {"type": "string"},
        "locale": {"enum": ["zh", "en"]},
        "set": {"enum": ["standard", "hard", "nolabel"]},
        "conditions": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "gps": {"type": "boolean"},
        "exif_orientation": {"enum": [1, 2, 3, 4, 5, 6, 7, 8]},
        "size": {"type": "string"},
        "format": {"enum": ["JPEG", "PNG"]},
        "label_quad": {
            "oneOf": [{"type": "null"}, {"type": "array", "items": _POINT, "minItems": 4, "maxItems": 4}]
        },
        "label_quads": {
            "type": "array",
            "items": {"type": "array", "items": _POINT, "minItems": 4, "maxItems": 4},
        },
        "layouts": {"type": "array", "items": {"type": "string"}},
        "items": {
            "type": "array",
            "label_quads": {
                "type": "array",
                "items": {"type": "array", "items": _POINT, "minItems": 4, "maxItems": 4},
            },
            "layouts": {"type": "array", "items": {"type": "string"}},
            "items": {
                "type": "object",
                "required": ["id", "kind", "text", "category", "role", "sensitive", "polygon"],
                "properties": {
                    "id": {"type": "integer", "minimum": 0},
                    "kind": {"enum": ["text", "symbol"]},
                    "text": {"type": "string"},
                    "category": {"enum": list(CATEGORIES)},
                    "role": {"enum": list(ROLES)},
                    "sensitive": {"type": "boolean"},
                    "polygon": {"type": "array", "items": _POINT, "minItems": 4},
                    "symbology": {"type": "string"},
                    "payload": {"type": "string"},
                    "source": {"enum": ["label", "label2", "sticker"]},
                },
                "allOf": [
                    {
                        "if": {"properties": {"kind": {"const": "symbol"}}},
                        "then": {"required": ["symbology", "payload"]},
                    },
                ],
            },
        },
    },
}


def validate_truth(truth: dict) -> None:
    """Raise jsonschema.ValidationError (or ValueError) if ``truth`` does not follow the schema."""
    import jsonschema

    jsonschema.validate(truth, TRUTH_SCHEMA)
    ids = [it["id"] for it in truth["items"]]
    if ids != list(range(len(ids))):
        raise ValueError("item ids must be 0..n-1 in order")
    for it in truth["items"]:
        if it["sensitive"] != (it["category"] in SENSITIVE_CATEGORIES):
            raise ValueError(f"item {it['id']}: sensitive flag disagrees with its category")
