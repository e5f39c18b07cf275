"""In CI (CI=true) a test skipped for a missing required tool fails instead (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")
TESTS = '''
import pytest

def test_needs_exiftool():
    pytest.skip("exiftool (Debian libimage-exiftool-perl) not installed")

def test_needs_paddle():
    pytest.skip("paddleocr is not installed: the PaddleOCR backend is the optional extra")

def test_other_reason():
    pytest.skip("no thread priorities here")
'''


def test_a_missing_required_tool_fails_in_ci(pytester, monkeypatch):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(TESTS)
    monkeypatch.setenv("CI", "true")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(failed=1, skipped=2)
    monkeypatch.setenv("CI", "")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(skipped=3)
