"""A SYNTHETIC sign-text corpus for the demo and the tests.

Nothing here is real signing. It draws COCO-WholeBody 133 pose sequences of a
stick figure whose arm path, handshape, second hand and mouth opening are
set by each "sign" of a small vocabulary, and pairs each sequence with the
sentence of its signs in English, German or Chinese (isolated signs use the
paper's template, e.g. "This word is apple."). Some sequences are unpaired
(no text), like PHOENIX-2014 in SL-1.5M. Because pose and text depend on the
same signs, masked pose modelling and sign-text contrastive learning both
have something to learn, so a falling loss in the demo means something.

Two mixes: ``demo`` (:func:`generate_samples`, short clips for the demo and
the tests) and ``sl15m`` (:func:`generate_sl15m_samples`, SL-1.5M's kinds of
source, languages and clip lengths, to rehearse the paper's run).
"""
import os
import os.path as osp
import shutil
import tempfile
from typing import Dict, List

import numpy as np

from slp_mm.structures.tokenizer import MBART_LANGUAGE_TOKENS, train_tokenizer
from slp_mm.utils.umask_mode import apply_umask
from .sign_corpus import MANIFEST, SignCorpusWriter

# concept: (en, de, zh)
VOCABULARY = [('apple', 'Apfel', '苹果'), ('house', 'Haus', '房子'),
              ('water', 'Wasser', '水'), ('friend', 'Freund', '朋友'),
              ('school', 'Schule', '学校'), ('rain', 'Regen', '雨'),
              ('tomorrow', 'morgen', '明天'), ('north', 'Norden', '北方'),
              ('sun', 'Sonne', '太阳'), ('book', 'Buch', '书'),
              ('mother', 'Mutter', '母亲'), ('work', 'Arbeit', '工作'),
              ('cold', 'kalt', '冷'), ('train', 'Zug', '火车'),
              ('eat', 'essen', '吃'), ('wind', 'Wind', '风')]
LANGUAGES = ('en', 'de', 'zh')
ISOLATED_TEMPLATES = dict(
    en='This word is {}.', de='Das Wort ist {}.', zh='这个词是{}。')


def _sentence(words: List[str], lang: str) -> str:
    if lang == 'zh':
        return ''.join(words) + '。'
    text = ' '.join(words)
    return text[0].upper() + text[1:] + '.'


class _SignPrototype:
    """Motion of one sign: arm path, handshapes, mouth, second hand."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.center = rng.uniform([-70, 60], [40, 190])  # from the neck
        self.amp = rng.uniform(10, 45, size=2)
        self.freq = rng.uniform(0.5, 2.0)
        self.phase = rng.uniform(0, 2 * np.pi)
        self.curl = rng.uniform(0, 1, size=(2, 5))  # start / end handshape
        self.two_handed = rng.random() < 0.5
        self.mouth = rng.uniform(0, 1)


def _hand(wrist, direction, curl, mirror, scale):
    """21 hand joints from the wrist, forearm direction and finger curls."""
    pts = [wrist]
    base_angles = np.deg2rad([-55, -18, 0, 16, 32]) * (-1 if mirror else 1)
    base_len = np.array([10, 22, 23, 22, 20]) * scale
    seg_len = np.array([[9, 8, 7], [12, 8, 7], [13, 9, 7], [12, 8, 7],
                        [9, 7, 6]]) * scale
    heading = np.arctan2(direction[1], direction[0])
    for f in range(5):
        ang = heading + base_angles[f]
        p = wrist + base_len[f] * np.array([np.cos(ang), np.sin(ang)])
        pts.append(p)
        for s in range(3):
            ang += curl[f] * np.deg2rad(45) * (1 if mirror else -1)
            p = p + seg_len[f, s] * np.array([np.cos(ang), np.sin(ang)])
            pts.append(p)
    return np.stack(pts)


def _face(center, scale, mouth_open):
    """68 iBUG face points around ``center``."""
    cx, cy = center
    th = np.linspace(np.pi, 0, 17)
    jaw = np.stack([cx + 38 * scale * np.cos(th),
                    cy + 45 * scale * np.sin(th)], 1)
    brow_x = np.linspace(-30, -8, 5)
    brows = np.concatenate([
        np.stack([cx + brow_x * scale, cy - 22 * scale + 0 * brow_x], 1),
        np.stack([cx - brow_x[::-1] * scale, cy - 22 * scale + 0 * brow_x],
                 1)
    ])
    nose = np.stack([np.full(4, cx), cy + np.linspace(-12, 10, 4) * scale], 1)
    nostrils = np.stack(
        [cx + np.linspace(-8, 8, 5) * scale, np.full(5, cy + 14 * scale)], 1)

    def ellipse(ex, ey, rx, ry, n):
        a = np.linspace(np.pi, -np.pi, n, endpoint=False)
        return np.stack([ex + rx * np.cos(a), ey + ry * np.sin(a)], 1)

    eyes = np.concatenate([
        ellipse(cx - 16 * scale, cy - 10 * scale, 7 * scale, 3 * scale, 6),
        ellipse(cx + 16 * scale, cy - 10 * scale, 7 * scale, 3 * scale, 6)
    ])
    my = cy + 27 * scale
    outer = ellipse(cx, my, 15 * scale, (3 + 7 * mouth_open) * scale, 12)
    inner = ellipse(cx, my, 10 * scale, (1 + 6 * mouth_open) * scale, 8)
    return np.concatenate([jaw, brows, nose, nostrils, eyes, outer, inner])


def render_sign_sequence(signs: List[_SignPrototype], signer: Dict,
                         rng: np.random.Generator, frames_per_sign=(12, 20)):
    """(T, 133, 2) pixel keypoints and (T, 133) scores for a sign sequence."""
    s, (ox, oy) = signer['scale'], signer['offset']
    neck = np.array([ox, oy])
    frames = []
    for sign in signs:
        n = int(rng.integers(frames_per_sign[0], frames_per_sign[1] + 1))
        for i in range(n):
            u = i / max(n - 1, 1)
            ang = 2 * np.pi * sign.freq * u + sign.phase
            r_wrist = neck + s * (sign.center +
                                  sign.amp * [np.cos(ang), np.sin(ang)])
            if sign.two_handed:  # mirrored about the body midline
                l_wrist = np.array([2 * neck[0] - r_wrist[0], r_wrist[1]])
            else:
                l_wrist = neck + s * np.array([60, 190])
            curl = (1 - u) * sign.curl[0] + u * sign.curl[1]
            mouth = sign.mouth * abs(np.sin(np.pi * u * 2))
            frames.append(_pose(neck, s, r_wrist, l_wrist, curl, mouth))
    kpts = np.stack(frames)  # (T, 133, 2)
    kpts += rng.normal(0, 1.0, kpts.shape)  # estimator jitter
    scores = rng.uniform(0.6, 1.0, kpts.shape[:2])
    scores[:, 11:23] = rng.uniform(0.0, 0.2, (len(kpts), 12))  # legs unseen
    return kpts.astype(np.float32), scores.astype(np.float32)


def _pose(neck, s, r_wrist, l_wrist, curl, mouth):
    p = np.zeros((133, 2))
    head = neck + s * np.array([0, -80])
    p[0] = head
    p[1], p[2] = head + s * np.array([15, -12]), head + s * np.array([-15, -12])
    p[3], p[4] = head + s * np.array([32, -5]), head + s * np.array([-32, -5])
    p[5], p[6] = neck + s * np.array([60, 0]), neck + s * np.array([-60, 0])
    for sh, wr, el, sign in ((5, l_wrist, 7, 1), (6, r_wrist, 8, -1)):
        mid = (p[sh] + wr) / 2
        d = wr - p[sh]
        normal = np.array([d[1], -d[0]]) / (np.linalg.norm(d) + 1e-6)
        if normal[0] * sign < 0:
            normal = -normal
        p[el] = mid + 25 * s * normal
    p[9], p[10] = l_wrist, r_wrist
    p[11], p[12] = neck + s * np.array([40, 190]), neck + s * np.array([-40, 190])
    p[13:23] = neck + s * np.array([0, 320])  # legs and feet, off-frame
    p[23:91] = _face(head + s * np.array([0, 5]), s, mouth)
    p[91:112] = _hand(l_wrist, l_wrist - p[7], curl, True, s)
    p[112:133] = _hand(r_wrist, r_wrist - p[8], curl, False, s)
    return p


def _make_signers(rng: np.random.Generator, num_signers: int = 6):
    """Body scale, neck position and video size of each synthetic signer."""
    sizes = [(640, 480), (512, 512), (1280, 720)]
    signers = []
    for k in range(num_signers):
        w, h = sizes[k % len(sizes)]
        signers.append(dict(
            scale=rng.uniform(0.8, 1.1) * h / 480,
            offset=(w / 2 + rng.uniform(-40, 40), h * rng.uniform(0.4, 0.5)),
            size=(w, h)))
    return signers


def generate_samples(num_samples: int,
                     seed: int = 0,
                     unpaired_ratio: float = 0.15,
                     isolated_ratio: float = 0.3,
                     max_signs: int = 4):
    """Yield synthetic samples in the data-contract format."""
    rng = np.random.default_rng(seed)
    protos = [_SignPrototype(rng) for _ in VOCABULARY]
    signers = _make_signers(rng)
    for i in range(num_samples):
        signer_id = int(rng.integers(len(signers)))
        signer = signers[signer_id]
        isolated = rng.random() < isolated_ratio
        n_signs = 1 if isolated else int(rng.integers(2, max_signs + 1))
        concepts = rng.choice(len(VOCABULARY), n_signs, replace=False)
        kpts, scores = render_sign_sequence([protos[c] for c in concepts],
                                            signer, rng)
        lang = LANGUAGES[int(rng.integers(len(LANGUAGES)))]
        col = LANGUAGES.index(lang)
        words = [VOCABULARY[c][col] for c in concepts]
        unpaired = rng.random() < unpaired_ratio
        if unpaired:
            text, dataset = None, 'synthetic-unpaired'
        elif isolated:
            text = ISOLATED_TEMPLATES[lang].format(words[0])
            dataset = 'synthetic-isolated'
        else:
            text, dataset = _sentence(words, lang), 'synthetic-sentence'
        yield _sample(f'synthetic-{i:06d}', kpts, scores, signer, text, lang,
                      concepts, isolated, dataset,
                      f'synthetic-signer-{signer_id}')


# SL-1.5M's sources (paper Sec. III-A; docs/data_format.md), each as a
# synthetic source: (dataset, sign language, text language, kind, share).
# The shares are not the paper's counts: they let a corpus of a few dozen
# clips hold every kind of source.
SL15M_SOURCES = (
    ('synthetic-wlasl', 'asl', 'en', 'isolated', 0.1),
    ('synthetic-msasl', 'asl', 'en', 'isolated', 0.1),
    ('synthetic-nmfs-csl', 'csl', 'zh', 'isolated', 0.1),
    ('synthetic-slr500', 'csl', 'zh', 'isolated', 0.1),
    ('synthetic-phoenix2014t', 'dgs', 'de', 'sentence', 0.1),
    ('synthetic-csl-daily', 'csl', 'zh', 'sentence', 0.1),
    ('synthetic-how2sign', 'asl', 'en', 'sentence', 0.1),
    ('synthetic-bobsl', 'bsl', 'en', 'sentence', 0.15),
    ('synthetic-phoenix2014', 'dgs', 'de', 'unpaired', 0.15),
)
ISOLATED_FRAMES = (30, 100)  # frames of an isolated sign
SENTENCE_SIGNS = (4, 8)  # signs of a sentence
SENTENCE_FRAMES_PER_SIGN = (25, 50)  # i.e. 100-400 frames a sentence


def _source_counts(num_samples: int) -> np.ndarray:
    """Samples of each of :data:`SL15M_SOURCES` (largest remainders)."""
    quotas = np.array([source[-1] for source in SL15M_SOURCES]) * num_samples
    counts = np.floor(quotas).astype(int)
    order = np.argsort(counts - quotas, kind='stable')  # largest rest first
    counts[order[:num_samples - counts.sum()]] += 1
    return counts


def generate_sl15m_samples(num_samples: int,
                           seed: int = 0,
                           clips_per_word: int = 3):
    """Yield synthetic samples mixed like SL-1.5M (:data:`SL15M_SOURCES`).

    Each sign language has its own signs for the shared vocabulary. The k-th
    clip of an isolated source signs word ``k // clips_per_word`` (cycling
    through the vocabulary) and is paired with the template sentence, so
    "This word is apple." comes back ``clips_per_word`` times per source (and
    in both English isolated sources), as in WLASL and MSASL. Lengths are
    paper-like: isolated signs 30-100 frames, sentences 4-8 signs of 25-50
    frames (100-400 frames, about a third longer than 256).
    """
    rng = np.random.default_rng(seed)
    protos = {
        sign_language: [_SignPrototype(rng) for _ in VOCABULARY]
        for sign_language in sorted({s[1] for s in SL15M_SOURCES})
    }
    signers = _make_signers(rng)
    for (dataset, sign_language, lang, kind, _), count in zip(
            SL15M_SOURCES, _source_counts(num_samples)):
        col = LANGUAGES.index(lang)
        for k in range(count):
            if kind == 'isolated':
                concepts = [k // clips_per_word % len(VOCABULARY)]
                frames_per_sign = ISOLATED_FRAMES
            else:
                n_signs = int(rng.integers(SENTENCE_SIGNS[0],
                                           SENTENCE_SIGNS[1] + 1))
                concepts = rng.choice(len(VOCABULARY), n_signs, replace=False)
                frames_per_sign = SENTENCE_FRAMES_PER_SIGN
            signer_id = int(rng.integers(len(signers)))
            signer = signers[signer_id]
            kpts, scores = render_sign_sequence(
                [protos[sign_language][c] for c in concepts], signer, rng,
                frames_per_sign)
            words = [VOCABULARY[c][col] for c in concepts]
            if kind == 'isolated':
                text = ISOLATED_TEMPLATES[lang].format(words[0])
            elif kind == 'sentence':
                text = _sentence(words, lang)
            else:
                text = None
            yield _sample(f'{dataset}-{k:06d}', kpts, scores, signer, text,
                          lang, concepts, kind == 'isolated', dataset,
                          f'{dataset}-signer-{signer_id}')


# mix name -> sample generator (build_synthetic_corpus(mix=...))
SYNTHETIC_MIXES = dict(demo=generate_samples, sl15m=generate_sl15m_samples)


def build_synthetic_corpus(out_dir: str,
                           num_samples: int = 400,
                           seed: int = 0,
                           vocab_size: int = 500,
                           mix: str = 'demo',
                           **kwargs) -> str:
    """Write the synthetic corpus of ``mix`` (a key of
    :data:`SYNTHETIC_MIXES`; ``kwargs`` go to its generator) and its
    tokenizer (``out_dir/tokenizer``) unless they exist. Safe when several
    ranks race: each builds in a private directory and the first atomic
    rename wins."""
    if mix not in SYNTHETIC_MIXES:
        raise ValueError(f'synthetic corpus mix is {mix!r}, expected one of '
                         f'{list(SYNTHETIC_MIXES)}')
    if osp.isfile(osp.join(out_dir, MANIFEST)):
        return out_dir
    parent = osp.dirname(osp.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.building-', dir=parent)
    apply_umask(tmp)  # mkdtemp's 0700 would stay on the corpus
    try:
        sentences = []
        with SignCorpusWriter(tmp, split='train') as writer:
            for sample in SYNTHETIC_MIXES[mix](num_samples, seed,
                                               **kwargs):
                writer.write(sample)
                if sample['text'] is not None:
                    sentences.append(sample['text'])
        # every word of every language, so no sentence is out of vocabulary
        sentences += [' '.join(v) for v in VOCABULARY]
        sentences += [t.format('') for t in ISOLATED_TEMPLATES.values()]
        train_tokenizer(sentences, osp.join(tmp, 'tokenizer'), vocab_size,
                        MBART_LANGUAGE_TOKENS)
        try:
            os.rename(tmp, out_dir)
        except OSError:  # another process finished first
            if not osp.isfile(osp.join(out_dir, MANIFEST)):
                raise
    finally:
        if osp.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _sample(sample_id, kpts, scores, signer, text, lang, concepts,
            isolated, dataset, signer_name) -> dict:
    """One corpus row of a rendered synthetic clip (T, K, 2) / (T, K)."""
    return dict(
        id=sample_id,
        keypoints=kpts,
        scores=scores,
        width=signer['size'][0],
        height=signer['size'][1],
        fps=25.0,
        text=text,
        language=lang,
        gloss=[VOCABULARY[c][0].upper() for c in concepts],
        label=int(concepts[0]) if isolated else None,
        dataset=dataset,
        signer=signer_name)
