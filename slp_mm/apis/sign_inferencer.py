"""One object that runs a trained model on sign clips, in the shape of
MMAction2Inferencer: built once from a config and checkpoint, called on a
file, a folder or a list."""
import glob
import os.path as osp
from typing import List, Optional, Sequence, Union

import torch
from mmengine.dataset import pseudo_collate
from mmengine.utils import ProgressBar

from slp_mm.datasets.transforms import TokenizeText
from slp_mm.models.data_preprocessors.sign_data_preprocessor import \
    pad_sequences
from slp_mm.preparation.pose_extraction.video_frames import VIDEO_EXTENSIONS
from slp_mm.preparation.pose_readers import read_numpy_pose, read_pose_file
from .model import build_test_pipeline, init_model

POSE_EXTENSIONS = ('.pose', '.npz', '.npy')
Inputs = Union[str, Sequence[str]]


class SignInferencer:
    """Recognise, translate or retrieve signs in pose files or videos.

    The task follows the model: ISLR gives ``topk`` (label, score) pairs (and
    ``label_names`` when ``class_names`` are given), CSLR a ``gloss``
    sequence, GF-SLT a ``text``. A model with an STC head and a text encoder
    (:class:`SignPretrainer`, :class:`SignRetriever`, project models such as
    ``SigmaPretrainer``) ranks sentences: call
    it with ``texts=`` for sign -> text (V2T) or use :meth:`search` for
    text -> sign (T2V).

    Inputs are ``.pose`` files (COCO-WholeBody, MediaPipe Holistic or
    OpenPose layouts, mapped onto COCO-WholeBody 133), ``.npz``/``.npy``
    COCO-WholeBody arrays, or videos, whose poses are extracted first with
    ``pose_backend`` (see ``tools/data/extract_pose.py``).

    Args:
        config (str or nn.Module, optional): Model config (its test
            pipeline prepares the input), or a model from
            :func:`init_model`; None takes a published checkpoint's own.
        checkpoint (str, optional): Trained weights (``.pth``, or a
            published ``.safetensors`` file).
        device (str): ``'cpu'`` or ``'cuda'``...
        topk (int): Classes (ISLR) or sentences (V2T) returned per clip.
        class_names (list or str, optional): ISLR class names by label, or
            a text file with one name per line.
        pose_backend (str): Pose estimator used on video inputs (built once,
            on the first video; :meth:`close` frees it).
        pose_backend_options (dict, optional): Its options.
        video_info (dict, optional): ``width``, ``height`` and ``fps`` of
            ``.npy`` inputs (and of ``.npz`` files that do not store them).
    """

    def __init__(self,
                 config: Union[None, str, torch.nn.Module],
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 topk: int = 5,
                 class_names: Union[None, str, Sequence[str]] = None,
                 pose_backend: str = 'mediapipe',
                 pose_backend_options: Optional[dict] = None,
                 video_info: Optional[dict] = None) -> None:
        self.model = (config if isinstance(config, torch.nn.Module) else
                      init_model(config, checkpoint, device))
        self.pipeline = build_test_pipeline(self.model.cfg)
        self.topk = topk
        if isinstance(class_names, str):
            with open(class_names, encoding='utf-8') as f:
                class_names = [line.strip() for line in f if line.strip()]
        self.class_names = list(class_names) if class_names else None
        self.pose_backend = pose_backend
        self.pose_backend_options = dict(pose_backend_options or {})
        self.video_info = dict(video_info or {})
        self._extractor = None

    @property
    def is_retrieval(self) -> bool:
        """Whether the model ranks sentences: it has an STC head on a text
        encoder (pre-training, retrieval and project models alike), whatever
        its class."""
        return (getattr(self.model, 'stc_head', None) is not None
                and getattr(self.model, 'text_encoder', None) is not None)

    @staticmethod
    def _files(inputs: Inputs) -> List[str]:
        extensions = POSE_EXTENSIONS + VIDEO_EXTENSIONS
        if isinstance(inputs, str) and osp.isdir(inputs):
            files = sorted(
                f for f in glob.glob(osp.join(inputs, '*'))
                if osp.splitext(f)[1].lower() in extensions)
            if not files:
                raise FileNotFoundError(
                    f'no pose files or videos ({", ".join(extensions)}) in '
                    f'{inputs}')
            return files
        files = [inputs] if isinstance(inputs, str) else list(inputs)
        missing = [f for f in files if not osp.isfile(f)]
        if missing:
            raise FileNotFoundError(f'no such pose file(s): {missing}')
        unknown = [f for f in files
                   if osp.splitext(f)[1].lower() not in extensions]
        if unknown:
            raise ValueError(f'{unknown}: not a pose file or video; '
                             f'supported extensions: {extensions}')
        return files

    def read(self, path: str) -> dict:
        """The data contract of one input (COCO-WholeBody 133 keypoints)."""
        ext = osp.splitext(path)[1].lower()
        if ext == '.pose':
            return read_pose_file(path)
        if ext in ('.npz', '.npy'):
            return read_numpy_pose(path, **self.video_info)
        from slp_mm.preparation.pose_extraction import build_pose_extractor
        from slp_mm.preparation.pose_extraction.extract_video import \
            pose_to_sample
        if self._extractor is None:  # pose models load slowly: once
            self._extractor = build_pose_extractor(
                self.pose_backend, **self.pose_backend_options)
        return pose_to_sample(self._extractor.extract(path))

    def close(self) -> None:
        """Free the pose extractor of video inputs, if one was built."""
        if self._extractor is not None:
            self._extractor.close()
            self._extractor = None

    def _prepare(self, path: str) -> dict:
        sample = self.read(path)
        sample.update(id=path, text=None, language=None,
                      corpus_location=path)
        item = self.pipeline(sample)
        if item is None:
            raise ValueError(f'{path}: rejected by the test pipeline (see '
                             'the logged reason)')
        return item

    def _batches(self, files: List[str], batch_size: int):
        """Preprocessed (files, data) batches, with a progress bar for more
        than one batch."""
        bar = ProgressBar(len(files)) if len(files) > batch_size else None
        for start in range(0, len(files), batch_size):
            chunk = files[start:start + batch_size]
            yield chunk, pseudo_collate([self._prepare(f) for f in chunk])
            if bar is not None:
                bar.update(len(chunk))

    def _result(self, sample) -> dict:
        if 'pred_score' in sample:
            k = min(self.topk, len(sample.pred_score))
            scores, labels = sample.pred_score.topk(k)
            out = dict(topk=list(zip(labels.tolist(), scores.tolist())))
            if self.class_names is not None:
                if len(self.class_names) != len(sample.pred_score):
                    raise ValueError(
                        f'{len(self.class_names)} class names for a model '
                        f'of {len(sample.pred_score)} classes')
                out['label_names'] = [self.class_names[i]
                                      for i in labels.tolist()]
            return out
        if 'pred_gloss' in sample:
            return dict(gloss=sample.metainfo['pred_gloss'])
        if 'pred_text' in sample:
            return dict(text=sample.metainfo['pred_text'])
        raise RuntimeError('the model predicted none of pred_score, '
                           'pred_gloss, pred_text')

    @torch.no_grad()
    def __call__(self,
                 inputs: Inputs,
                 batch_size: int = 8,
                 texts: Optional[Sequence[str]] = None,
                 language: Optional[str] = None) -> List[dict]:
        """Results for every input (a folder means its pose files and
        videos), each with its ``file``.

        For a retrieval model, ``texts`` (with their ``language``) are the
        gallery: each result holds its ``topk`` best ``ranked_texts``
        (text, score).
        """
        files = self._files(inputs)
        if texts and not self.is_retrieval:
            raise ValueError(f'{type(self.model).__name__} does not embed '
                             'text: texts= needs a pre-training or retrieval '
                             'model')
        if self.is_retrieval:
            if not texts:
                raise ValueError(
                    f'{type(self.model).__name__} is a sign-text model: '
                    'pass texts=[...] (and language=) to rank sentences '
                    'for each clip, or use search() to rank clips')
            sim = self.similarity(files, texts, language, batch_size)
            k = min(self.topk, len(texts))
            scores, order = sim.topk(k, dim=1)
            return [
                dict(file=f, ranked_texts=[(texts[j], s) for j, s in zip(
                    order[i].tolist(), scores[i].tolist())])
                for i, f in enumerate(files)
            ]
        results = []
        for chunk, batch in self._batches(files, batch_size):
            for path, sample in zip(chunk, self.model.test_step(batch)):
                results.append(dict(file=path, **self._result(sample)))
        return results

    @torch.no_grad()
    def search(self,
               query: str,
               inputs: Inputs,
               language: Optional[str] = None,
               batch_size: int = 8) -> List[dict]:
        """Text -> sign retrieval: every clip of ``inputs`` ranked by its
        similarity to the ``query`` sentence, best first."""
        files = self._files(inputs)
        if not self.is_retrieval:
            raise ValueError(f'{type(self.model).__name__} does not embed '
                             'text: search() needs a pre-training or '
                             'retrieval model')
        sim = self.similarity(files, [query], language, batch_size)[:, 0]
        order = sim.argsort(descending=True).tolist()
        return [dict(file=files[i], score=sim[i].item()) for i in order]

    @torch.no_grad()
    def similarity(self, files: List[str], texts: Sequence[str],
                   language: Optional[str],
                   batch_size: int = 8) -> torch.Tensor:
        """Fine-grained (or coarse, as the model's STC head says) sign-text
        scores (num files, num texts), on the CPU."""
        model = self.model
        feats = []  # per clip (T_i, C)
        for _, batch in self._batches(files, batch_size):
            inputs = model.data_preprocessor(batch, False)['inputs']
            out = model.extract_feat(inputs['pose'],
                                     inputs['pose_mask'])  # (B, T, C)
            for f, m in zip(out, inputs['pose_mask']):
                feats.append(f[m])
        pose_feats = pad_sequences(feats)  # (Nv, T, C)
        pose_mask = pad_sequences(
            [torch.ones(len(f), dtype=torch.bool, device=f.device)
             for f in feats], False)
        text_ids, text_mask = self._tokenize(texts, language)
        text_feats = model.text_encoder(text_ids, text_mask)  # (Nt, L, D)
        head = model.stc_head
        clips, clip_mask, words, word_mask = head.embed(
            pose_feats, pose_mask, text_feats, text_mask)
        return head.similarity(clips, clip_mask, words, word_mask).cpu()

    def _tokenize(self, texts: Sequence[str], language: Optional[str]):
        """(Nt, L) ids and mask of ``texts`` as the test pipeline's
        :class:`TokenizeText` makes them (language token included)."""
        tokenize = [t for t in self.pipeline.transforms
                    if isinstance(t, TokenizeText)]
        if not tokenize:
            raise ValueError('the config\'s test pipeline has no '
                             'TokenizeText transform to encode the texts')
        empty = [i for i, t in enumerate(texts)
                 if not isinstance(t, str) or not t.strip()]
        if empty:
            raise ValueError(f'texts {empty} are empty or not strings')
        ids = [torch.tensor(tokenize[0](dict(
            text=t, language=language, id=f'text {i}'))['text_ids'])
               for i, t in enumerate(texts)]
        device = self.model.data_preprocessor.device
        pad_id = self.model.data_preprocessor.text_pad_id
        text_ids = pad_sequences(ids, pad_id).to(device)
        lengths = torch.tensor([len(i) for i in ids], device=device)
        text_mask = (torch.arange(text_ids.shape[1], device=device)[None]
                     < lengths[:, None])
        return text_ids, text_mask
