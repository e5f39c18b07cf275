"""The closest peer: presidio-image-redactor with Tesseract (eng + chi_sim from Debian).

``en_core_web_*`` spaCy models are not on PyPI, so the harness creates a *blank* spaCy English pipeline on
disk (``.cache/benchmarks/spacy-blank-en``, git-ignored) and names it in the NLP engine configuration. The
analyzer's pattern recognizers then run (phones, e-mails, credit cards, long digit runs as bank / licence
numbers, URLs, ...) but there is no named-entity recognition: no names or addresses. The e-mail recognizer
uses tldextract, which would try to download the public-suffix list: it is pointed at its bundled snapshot.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Tuple

from .common import encode_jpeg, load_displayed

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("BENCH_CACHE", ROOT / ".cache" / "benchmarks"))
LANG = "eng+chi_sim"


def blank_pipeline(path: Path = CACHE / "spacy-blank-en") -> Path:
    if not (path / "meta.json").exists():
        import spacy

        path.mkdir(parents=True, exist_ok=True)
        spacy.blank("en").to_disk(path)
    return path


def _offline_tldextract() -> None:
    import tldextract
    import tldextract.tldextract as tx

    ex = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    tx.TLD_EXTRACTOR = ex
    tldextract.extract = ex  # the e-mail recognizer calls tldextract.extract(...)


class PresidioTool:
    name = "presidio"

    def __init__(self) -> None:
        self._engine = None

    def load(self) -> None:
        for n in ("presidio-analyzer", "presidio-image-redactor", "tldextract", "filelock", "pydicom"):
            logging.getLogger(n).setLevel(logging.ERROR)
        _offline_tldextract()
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        from presidio_image_redactor import ImageAnalyzerEngine, ImageRedactorEngine, TesseractOCR

        conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": str(blank_pipeline())}]}
        nlp = NlpEngineProvider(nlp_configuration=conf).create_engine()
        analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
        self._engine = ImageRedactorEngine(image_analyzer_engine=ImageAnalyzerEngine(analyzer_engine=analyzer,
                                                                                   ocr=TesseractOCR()))

    def redact(self, src: Path) -> Tuple[bytes, str]:
        if self._engine is None:
            self.load()
        img = load_displayed(src)
        out = self._engine.redact(img, fill=(0, 0, 0), ocr_kwargs={"lang": LANG})
        return encode_jpeg(out)


def make() -> PresidioTool:
    return PresidioTool()
