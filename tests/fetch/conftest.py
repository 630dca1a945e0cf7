"""The fetch tests talk to fixture sites on 127.0.0.1: loopback allowed for them (never by default)."""
import pytest


@pytest.fixture(autouse=True)
def _allow_loopback(monkeypatch):
    monkeypatch.setenv("NIANBAO_FETCH_ALLOW_LOCAL", "1")
