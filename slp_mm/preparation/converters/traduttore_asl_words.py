"""The traduttore ASL words sample: 14 isolated ASL words recorded with a
webcam, stored as MediaPipe Holistic vectors (pose 33 x 4, left and right
hand 21 x 3, no face; x, y normalised to the image).

Split by recording block (``block`` column): for every class the first of
its two blocks trains and the second tests, so train and test come from
different sessions.
"""
import csv
import os.path as osp
from typing import Dict

import numpy as np

from slp_mm.corpus.sign_corpus import MANIFEST, SignCorpus, SignCorpusWriter
from slp_mm.structures.mediapipe_holistic import mediapipe_to_coco_wholebody

NPZ = 'traduttore_asl_words_shared.npz'
CSV = 'traduttore_asl_words_shared.csv'


def _split_vector(vec: np.ndarray):
    """(T, 258) Holistic vector -> 133-joint keypoints and scores."""
    t = vec.shape[0]
    pose = vec[:, :132].reshape(t, 33, 4)
    left = vec[:, 132:195].reshape(t, 21, 3)
    right = vec[:, 195:258].reshape(t, 21, 3)

    def detected(part):  # an undetected part is all zeros
        return np.repeat(np.abs(part).sum((1, 2))[:, None] > 0,
                         part.shape[1], 1).astype(np.float32)

    pose_scores = pose[..., 3] * detected(pose)
    return mediapipe_to_coco_wholebody(pose[..., :2], pose_scores,
                                       left[..., :2], detected(left),
                                       right[..., :2], detected(right))


def convert_traduttore(src: str, out: str) -> Dict[str, int]:
    """Write ``out/train`` and ``out/test`` corpora; returns their sizes.
    A split whose corpus already exists is kept as is."""
    data = np.load(osp.join(src, NPZ), allow_pickle=False)
    with open(osp.join(src, CSV), newline='') as f:
        rows = {r['sample_id']: r for r in csv.DictReader(f)}
    classes = [str(c) for c in data['classes']]
    blocks = {}
    for r in rows.values():
        blocks.setdefault(int(r['label_index']), set()).add(int(r['block']))
    first_block = {c: min(b) for c, b in blocks.items()}
    sizes = {}
    for split in ('train', 'test'):
        path = osp.join(out, split)
        if osp.isfile(osp.join(path, MANIFEST)):
            sizes[split] = len(SignCorpus(path))
            continue
        writer = SignCorpusWriter(path, split=split)
        for vec, label, sid in zip(data['keypoints'], data['label_index'],
                                   data['sample_id']):
            row = rows[str(sid)]
            is_train = int(row['block']) == first_block[int(label)]
            if is_train != (split == 'train'):
                continue
            kpts, scores = _split_vector(vec)
            writer.write(
                dict(
                    id=str(sid),
                    keypoints=kpts,
                    scores=scores,
                    width=1.0,  # x, y are already in [0, 1]
                    height=1.0,
                    fps=30.0,
                    text=f'This word is {classes[int(label)]}.',
                    language='en',
                    gloss=[classes[int(label)].upper()],
                    label=int(label),
                    dataset='traduttore-asl-words',
                    signer=row['uploader']))
        sizes[split] = writer.close()['num_samples']
    return sizes
