"""Fixtures of the line-loss tests: a private data directory."""

import pytest


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path
