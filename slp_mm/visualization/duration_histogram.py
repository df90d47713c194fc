"""The duration histogram of a built corpus (its ``statistics.json``)."""
from slp_mm.corpus.corpus_statistics import duration_bin_labels
from slp_mm.utils.cli_errors import UserError

FIGSIZE_INCHES = (8, 4.5)  # 800 x 450 pixels at 100 dpi


def draw_duration_histogram(statistics: dict, source: str = 'statistics'):
    """One bar per duration bin of a ``statistics.json`` dict (written by
    ``tools/data/build_corpus.py``), titled with the samples and hours.

    Returns:
        A matplotlib ``Figure`` (Agg canvas) of :data:`FIGSIZE_INCHES`.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    try:
        histogram = statistics['duration_histogram']
        counts = histogram['counts']
        labels = duration_bin_labels(histogram)
        total = statistics['total']
        title = f'{total["samples"]} samples, {total["hours"]:.1f} h'
    except KeyError as e:
        raise UserError(f'{source}: no field {e} (expected the '
                        'statistics.json of tools/data/build_corpus.py)')
    fig = Figure(figsize=FIGSIZE_INCHES)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.bar(range(len(counts)), counts, color='tab:blue')
    ax.set_xticks(range(len(counts)), labels, rotation=45)
    ax.set_xlabel('duration (s)')
    ax.set_ylabel('samples')
    ax.set_title(title)
    fig.tight_layout()
    return fig
