"""Shared fixtures: one default Redactor and one scoring attacker per test module (models load once each).
A module that needs another configuration defines its own fixture of the same name."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def redactor():
    from redact import Redactor

    return Redactor()


@pytest.fixture(scope="module")
def attacker():
    from benchmarks.score import Attacker

    return Attacker()
