"""Fine-grained sign-text similarity of one pair as clip x word heatmaps."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from slp_mm.structures import MBART_LANGUAGE_TOKENS


@torch.no_grad()
def pair_similarity_maps(model,
                         data: dict,
                         tokenizer=None) -> Dict[str, object]:
    """The STC head's clip x word matrices of the first sample of ``data``
    against its own sentence.

    The embeddings come from :meth:`SignPretrainer.predict` (unmasked pose,
    frozen text encoder) and the matrices from
    :meth:`FineGrainedContrastiveHead.clip_word_similarity`, the function
    the STC loss reduces.

    Args:
        model: A :class:`SignPretrainer` with a fine-grained ``stc_head``, in
            eval mode.
        data: A preprocessed batch of paired samples (see
            :func:`prepare_sample_batch`).
        tokenizer: Decodes the word labels and tells the special tokens
            (``<s>``, ``</s>``, language codes, padding), whose rows are
            left out of the maps (None: the ids, all kept).

    Returns:
        dict: ``sim`` (L, T') the cosine similarities of the L words (special
        tokens left out) and T' clips, ``weighted`` (L, T') after the
        softmax re-weighting over all tokens, ``score`` the pair's STC score
        (``weighted`` summed over all tokens, special ones included as the
        model sums them, averaged over clips), ``words`` L labels and
        ``clips`` T' labels (``'a-b'``: the source frames of each clip
        window).
    """
    head = model.stc_head
    if head is None or head.granularity != 'fine':
        raise ValueError('the model needs a fine-grained stc_head '
                         '(granularity="fine") for clip x word maps')
    sample = model.predict(data['inputs'], data['data_samples'][:1])[0]
    n_clips, n_words = int(sample.clip_mask.sum()), int(sample.word_mask.sum())
    sim, weighted = head.clip_word_similarity(
        sample.clip_embeds[None], sample.word_embeds[None],
        sample.word_mask[None])  # (1, 1, T', L) each
    sim = sim[0, 0, :n_clips, :n_words].T.float().cpu().numpy()  # (L, T')
    weighted = weighted[0, 0, :n_clips, :n_words].T.float().cpu().numpy()
    score = float(weighted.sum(0).mean())
    ids = data['inputs']['text_ids'][0, :n_words].tolist()
    if tokenizer is None:
        words, kept = [str(i) for i in ids], np.ones(n_words, bool)
    else:
        words = tokenizer.convert_ids_to_tokens(ids)
        special = set(tokenizer.all_special_ids)
        special |= set(
            tokenizer.convert_tokens_to_ids(
                list(MBART_LANGUAGE_TOKENS.values())))
        kept = np.array([i not in special for i in ids])
    return dict(sim=sim[kept],
                weighted=weighted[kept],
                score=score,
                words=[w for w, k in zip(words, kept) if k],
                clips=clip_frame_ranges(sample, head.window, n_clips))


def clip_frame_ranges(sample, window: int, num_clips: int) -> List[str]:
    """``'first-last'`` source frame of each clip window of a data sample
    (from its ``frame_inds`` metainfo when the pipeline sampled frames)."""
    inds = sample.get('frame_inds')
    if inds is None:
        inds = np.arange(sample.num_frames)
    inds = np.asarray(inds)[:sample.num_frames]
    return [
        f'{inds[c * window]}-{inds[min((c + 1) * window, len(inds)) - 1]}'
        for c in range(num_clips)
    ]


def draw_similarity_heatmap(sim: np.ndarray,
                            weighted: np.ndarray,
                            words: Sequence[str],
                            clips: Sequence[str],
                            title: Optional[str] = None,
                            cmap: str = 'RdBu_r'):
    """Two heatmaps side by side, words (rows) x clips (columns): the
    cosine similarities and the same after the softmax over words.

    Both are signed, so the colour map is diverging and centred on 0 (white:
    unrelated; red: similar; blue: opposed), each scaled to its own largest
    absolute value.

    Returns:
        A matplotlib ``Figure`` (Agg canvas): two image axes, each with its
        colour bar.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    n_words, n_clips = sim.shape
    fig = Figure(figsize=(2 * (2 + 0.35 * n_clips) + 1.5, 1.5 + 0.3 * n_words))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2)
    for ax, mat, name in zip(
            axes, (sim, weighted),
        ('clip x word cosine similarity', 'after softmax over words')):
        reach = float(np.abs(mat).max(initial=0)) or 1.0
        im = ax.imshow(mat,
                       cmap=cmap,
                       vmin=-reach,
                       vmax=reach,
                       aspect='auto',
                       interpolation='nearest')
        fig.colorbar(im, ax=ax, fraction=0.05)
        ax.set_xticks(range(n_clips), clips, rotation=90, fontsize=7)
        ax.set_yticks(range(n_words), words, fontsize=7)
        ax.set_xlabel('clip (source frames)')
        ax.set_ylabel('token')
        ax.set_title(name, fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def figure_to_rgb(fig, dpi: int = 120) -> np.ndarray:
    """Render a matplotlib figure at ``dpi`` -> (H, W, 3) uint8 RGB."""
    fig.set_dpi(dpi)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
