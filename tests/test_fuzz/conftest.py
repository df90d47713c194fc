"""Hypothesis profiles of the fuzz tests and, at the end of the session, how
many cases each target ran and how they ended.

``fuzz-ci`` (the default) is sized so that every fuzz test together runs in
about a minute on 2 CPU cores; it is derandomized, so CI runs the same cases
every time and a failure reproduces. ``fuzz-deep`` is for a nightly or a
manual hunt: ``pytest tests/test_fuzz --hypothesis-profile=fuzz-deep``.
"""
from datetime import timedelta

from hypothesis import HealthCheck, settings

from .case_outcomes import CASES

settings.register_profile(
    'fuzz-ci',
    max_examples=60,
    derandomize=True,
    # no .hypothesis/ example database written into the checkout
    database=None,
    # a case slower than this counts as a hang
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    'fuzz-deep', parent=settings.get_profile('fuzz-ci'), max_examples=2000,
    derandomize=False)


def pytest_configure(config):
    if config.getoption('hypothesis_profile') is None:
        settings.load_profile('fuzz-ci')


def pytest_terminal_summary(terminalreporter):
    if not CASES:
        return
    total = sum(sum(c.values()) for c in CASES.values())
    terminalreporter.section(f'fuzz cases: {total} in total')
    for target, outcomes in sorted(CASES.items()):
        detail = ', '.join(f'{n} {k}' for k, n in sorted(outcomes.items()))
        terminalreporter.write_line(
            f'{target}: {sum(outcomes.values())} ({detail})')
