import pytest

from slp_mm.utils.cli_errors import UserError
from slp_mm.visualization.duration_histogram import draw_duration_histogram

STATISTICS = dict(
    duration_histogram=dict(bin_edges_s=[0, 2, 5], counts=[3, 7, 1]),
    total=dict(samples=11, hours=0.0123))


def test_one_bar_per_bin():
    fig = draw_duration_histogram(STATISTICS)
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == [3, 7, 1]
    assert [t.get_text() for t in ax.get_xticklabels()] == ['0-2', '2-5',
                                                            '>=5']
    assert ax.get_title() == '11 samples, 0.0 h'
    assert tuple(fig.get_size_inches() * 100) == (800, 450)


def test_missing_field_is_named():
    with pytest.raises(UserError, match="^s.json: no field 'total'"):
        draw_duration_histogram(
            {'duration_histogram': STATISTICS['duration_histogram']},
            's.json')
