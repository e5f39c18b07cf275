"""The report schema describes Report.to_dict() on every surface, and personal values appear only with an
explicit reveal. The report is defined once, by the pydantic models in redact.schema: the committed
redact/schema/report.schema.json is what they generate, the service's OpenAPI uses them, and every to_dict()
output validates against both, its keys being the models' fields in their order."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

import redact
from redact.report import Report
from redact.schema import (
    CheckModel,
    FieldModel,
    MaskModel,
    ReportModel,
    SymbolModel,
    json_schema,
    schema_text,
    validate_report,
)
from redact.types import Category, CheckResult, Field, Mask, PhotoMeta, Role, Span, Symbol

SCHEMA_PATH = Path(redact.__file__).parent / "schema" / "report.schema.json"
NAME, PHONE, PAYLOAD = "张伟明", "13812345678", "SF1234567890123"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _walk_keys(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _walk_keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk_keys(v)


def built_report() -> Report:
    sq = ((10.0, 10.0), (200.0, 10.0), (200.0, 40.0), (10.0, 40.0))
    qr = ((300.5, 300.25), (420.0, 300.0), (420.0, 420.0), (300.0, 420.0))
    fields = [
        Field(Category.NAME, Role.RECIPIENT, spans=(Span(0, 4, 7),), score=0.93, rule="zh_caption_name",
              value=NAME, polygons=(sq,)),
        Field(Category.PHONE, Role.RECIPIENT, spans=(Span(1, 3, 14),), score=0.99, rule="zh_mobile",
              value=PHONE, polygons=(sq, sq)),
        Field(Category.TRACKING_NUMBER, Role.UNKNOWN, spans=(Span(2, 0, 15),), symbols=(0,), score=1.0,
              rule="symbol_payload_repeat", value=PAYLOAD, polygons=(qr,)),
        Field(Category.QRCODE, Role.UNKNOWN, symbols=(1,), score=1.0, rule="symbol", value="https://x.invalid/q",
              polygons=(qr,)),
        Field(Category.OTHER, Role.UNKNOWN, spans=(Span(3, 0, 4),), score=0.5, rule="kept_hotline",
              sensitive=False, value="95338"),
    ]
    masks = [
        Mask(polygon=sq, fields=(0,), category=Category.NAME),
        Mask(polygon=sq, fields=(1,), category=Category.PHONE),
        Mask(polygon=qr, fields=(2, 3), category=Category.QRCODE),
        Mask(polygon=((0.0, 0.0), (5.0, 0.0), (5.0, 5.0)), fields=(), source="user"),
    ]
    symbols = [
        Symbol("Code128", PAYLOAD, qr, engine="zxing-cpp"),
        Symbol("QRCode", "https://x.invalid/q", qr, engine="zxing-cpp"),
        Symbol("unknown", "", sq, decoded=False, score=0.6, engine="look"),
    ]
    meta = PhotoMeta("JPEG", "RGB", exif_orientation=6, had_exif=True, had_gps=True, had_thumbnail=True,
                     had_makernote=True, had_icc=True)
    return Report(
        source="IMG_0001.jpg", width=4000, height=3000, fields=fields, masks=masks, symbols=symbols, labels=1,
        lines=4, style="blur", check=CheckResult(rounds=2, readable_after=0, widened=1, passed=True), meta=meta,
        metadata_dropped=["orientation (applied to pixels)", "gps", "exif_thumbnail", "maker_note", "exif"],
        timings={"load": 0.1, "locate": 1.234567, "total": 3.0}, engines={"ocr": "rapidocr", "symbols": "zxing"},
    )


def assert_model_agrees(d) -> None:
    """``d`` (a to_dict() output) is exactly a ReportModel: it validates, dumps back to itself, and its keys
    are the models' fields in the models' order (absent optional keys aside)."""
    m = validate_report(d)
    assert m.model_dump(mode="json", exclude_unset=True) == d
    assert json.dumps(m.model_dump(mode="json", exclude_unset=True), ensure_ascii=False) == json.dumps(
        d, ensure_ascii=False
    ), "same keys, same order, same values"

    def in_order(obj, model) -> None:
        assert list(obj) == [k for k in model.model_fields if k in obj], model.__name__

    in_order(d, ReportModel)
    for f in d["fields"]:
        in_order(f, FieldModel)
    for mk in d["masks"]:
        in_order(mk, MaskModel)
    for sy in d["symbols"]:
        in_order(sy, SymbolModel)
    if "check" in d:
        in_order(d["check"], CheckModel)


def test_committed_schema_is_what_the_models_generate():
    """Regenerate with `python -m redact.schema` after changing redact/schema/__init__.py."""
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == json_schema()


def test_schema_command_check(tmp_path):
    from redact.schema.__main__ import main

    assert main(["--check"]) == 0
    out = tmp_path / "s.json"
    assert main(["--check", "--out", str(out)]) == 1
    assert main(["--out", str(out)]) == 0 and out.read_text(encoding="utf-8") == schema_text()


def test_to_dict_is_the_model():
    rep = built_report()
    for reveal in (False, True):
        assert_model_agrees(rep.to_dict(reveal=reveal))
    assert_model_agrees(Report(source="", width=0, height=0).to_dict())
    assert_model_agrees(Report(source="x.jpg", width=10, height=10, status="failed", error="x").to_dict())


def test_service_openapi_documents_the_model():
    pytest.importorskip("fastapi")
    from redact.service import create_app, models

    assert models.ReportModel is ReportModel and models.FieldModel is FieldModel
    spec = create_app(workers=1, queue=1, warm=False).openapi()
    comps = spec["components"]["schemas"]
    schema = json_schema()
    for name, part in [("ReportModel", schema)] + list(schema["$defs"].items()):
        if "properties" in part:
            assert set(comps[name]["properties"]) == set(part["properties"]), name
            assert set(comps[name].get("required", [])) == set(part["required"]), name
            assert comps[name].get("additionalProperties") is False, name
    assert comps["ReportModel"]["allOf"] == schema["allOf"]


def test_schema_is_valid_2020_12():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_built_report_validates_without_values(validator):
    d = built_report().to_dict()
    validator.validate(d)
    validate_report(d)
    assert d["values_revealed"] is False
    keys = set(_walk_keys(d))
    assert "value" not in keys and "payload" not in keys
    text = json.dumps(d, ensure_ascii=False)
    for v in (NAME, PHONE, PAYLOAD, "https://x.invalid/q", "95338"):
        assert v not in text
    assert d["counts"] == {"name": 1, "phone": 1, "tracking_number": 1, "qrcode": 1}
    assert [f["masked"] for f in d["fields"]] == [True, True, True, True, False]
    assert d["check"] == {"rounds": 2, "readable_after": 0, "widened": 1, "passed": True}


def test_built_report_with_reveal(validator):
    d = built_report().to_dict(reveal=True)
    validator.validate(d)
    assert d["values_revealed"] is True
    assert [f["value"] for f in d["fields"]][:2] == [NAME, PHONE]
    assert d["symbols"][0]["payload"] == PAYLOAD
    # the JSON text round-trips (CLI --json / HTTP)
    validator.validate(json.loads(built_report().to_json(reveal=True)))


def test_failed_and_empty_reports_validate(validator):
    empty = Report(source="", width=0, height=0)
    validator.validate(empty.to_dict())
    failed = Report(source="x.jpg", width=10, height=10, status="failed", error="x.jpg: self-check still reads 1")
    validator.validate(failed.to_dict())


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["fields"][0].__setitem__("value", PHONE),  # a value without reveal
        lambda d: d["symbols"][0].__setitem__("payload", PAYLOAD),  # a payload without reveal
        lambda d: d["fields"][0].__setitem__("text", PHONE),  # an unknown key that could carry a value
        lambda d: d.__setitem__("lines_text", [PHONE]),  # a new top-level key must be added to the schema
        lambda d: d["fields"][0].__setitem__("category", "ssn"),
        lambda d: d["fields"][0].__setitem__("role", "buyer"),
        lambda d: d["fields"][0].__setitem__("score", 1.5),
        lambda d: d["masks"][0].__setitem__("polygon", [[1, 2, 3]]),
        lambda d: d.__setitem__("style", "smudge"),
        lambda d: d.__setitem__("status", "failed"),  # failed without an error message
        lambda d: d.pop("timings"),
        lambda d: d["check"].__setitem__("passed", "yes"),
        lambda d: d["timings"].__setitem__("render", -1),
        lambda d: d.__setitem__("check", None),  # absent, never null
        lambda d: d["fields"][0].__setitem__("value", None),
        lambda d: d["metadata_dropped"].append("gps"),  # names are unique
        lambda d: d["counts"].__setitem__("name", 0),
        lambda d: d.__setitem__("width", 1.5),
        lambda d: d["fields"][0].__setitem__("score", "0.5"),
        lambda d: d["fields"][0].__setitem__("sensitive", 1),
        lambda d: d["masks"][0].__setitem__("source", "drawn"),
        lambda d: d.__setitem__("schema_version", "2.0"),
    ],
)
def test_schema_rejects_bad_reports(validator, mutate):
    d = built_report().to_dict()
    validator.validate(d)
    bad = copy.deepcopy(d)
    mutate(bad)
    assert list(validator.iter_errors(bad)), "the schema should have rejected this report"
    with pytest.raises(ValidationError):
        validate_report(bad)


# ------------------------------------------------------------------ real reports from the pipeline ----


@pytest.fixture(scope="module")
def generated():
    gen = pytest.importorskip("benchmarks.generator")
    return gen.make_photo(seed=2, layout="zh_ecommerce", conditions=("standard",), size="1mp")


@pytest.fixture(scope="module")
def redactor():
    from redact import Redactor

    return Redactor()


def test_analyze_report_validates_and_hides_values(validator, generated, redactor):
    rep = redactor.analyze(generated.image_bytes, name=generated.name + ".jpg")
    d = rep.to_dict()
    validator.validate(d)
    assert_model_agrees(d)
    assert d["style"] == "" and d["fields"], "the pipeline should find personal fields on a waybill"
    assert "value" not in set(_walk_keys(d)) and "payload" not in set(_walk_keys(d))
    text = json.dumps(d, ensure_ascii=False)
    revealed = rep.to_dict(reveal=True)
    validator.validate(revealed)
    assert_model_agrees(revealed)
    values = [f["value"] for f in revealed["fields"] if len(f.get("value", "")) >= 4]
    values += [s["payload"] for s in revealed["symbols"] if len(s.get("payload", "")) >= 4]
    assert values, "expected some personal values to check against"
    for v in values:
        assert v not in text
    # the truth's personal strings do not leak either
    for it in generated.truth["items"]:
        if it["sensitive"] and len(it["text"]) >= 6:
            assert it["text"] not in text


def test_cli_run_json_report_validates(validator, generated, tmp_path):
    """The CLI surface: `redact run photo.jpg -o out.jpg --json` prints a valid report without values."""
    import os
    import subprocess
    import sys

    src = tmp_path / "p.jpg"
    src.write_bytes(generated.image_bytes)
    env = dict(os.environ, PYTHONPATH=str(Path(redact.__file__).parent.parent), OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", "from redact.cli import main; main()", "run", str(src), "-o",
                        str(tmp_path / "out.jpg"), "--json", "--style", "pixelate"],
                       check=False, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    validator.validate(d)
    assert_model_agrees(d)
    assert d["style"] == "pixelate" and d["masks"] and d["values_revealed"] is False
    assert "render" in d["timings"]
    if "check" in d:
        assert d["check"]["passed"] is True and d["check"]["readable_after"] == 0
    assert (tmp_path / "out.jpg").stat().st_size > 0
    for it in generated.truth["items"]:
        if it["sensitive"] and len(it["text"]) >= 6:
            assert it["text"] not in r.stdout and it["text"] not in r.stderr
