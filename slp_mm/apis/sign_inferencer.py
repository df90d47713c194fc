"""One object that runs a trained model on sign clips, on mmengine's
``BaseInferencer``: built once from a config and checkpoint, called on a
file, a folder or a list."""
import glob
import os.path as osp
from datetime import datetime
from functools import partial
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.infer import BaseInferencer
from mmengine.registry import FUNCTIONS

from slp_mm.datasets.transforms import SelectKeypoints, TokenizeText
from slp_mm.preparation.pose_extraction.video_frames import VIDEO_EXTENSIONS
from slp_mm.preparation.pose_readers import read_numpy_pose, read_pose_file
from slp_mm.registry import VISUALIZERS
from slp_mm.structures import SignDataSample
from slp_mm.utils.cli_errors import UserError
from .model import build_test_pipeline, init_model
from .pose_coverage import warn_missing_parts

POSE_EXTENSIONS = ('.pose', '.npz', '.npy')
Inputs = Union[str, Sequence[str]]


def list_clips(inputs: Inputs) -> List[str]:
    """The clips of ``inputs`` (a path or a list of paths; a folder means its
    pose files and videos, sorted), checked to exist and to have a known
    extension."""
    extensions = POSE_EXTENSIONS + VIDEO_EXTENSIONS
    files = []
    for path in [inputs] if isinstance(inputs, str) else list(inputs):
        if not osp.isdir(path):
            files.append(path)
            continue
        found = sorted(
            f for f in glob.glob(osp.join(path, '*'))
            if osp.splitext(f)[1].lower() in extensions)
        if not found:
            raise FileNotFoundError(
                f'no pose files or videos ({", ".join(extensions)}) in '
                f'{path}')
        files += found
    missing = [f for f in files if not osp.isfile(f)]
    if missing:
        raise FileNotFoundError(f'no such pose file(s): {missing}')
    unknown = [f for f in files
               if osp.splitext(f)[1].lower() not in extensions]
    if unknown:
        raise ValueError(f'{unknown}: not a pose file or video; '
                         f'supported extensions: {extensions}')
    return files


class SignInferencer(BaseInferencer):
    """Recognise, translate or retrieve signs in pose files or videos.

    ``__call__`` runs mmengine's steps: :meth:`preprocess` (read each clip,
    run the config's test pipeline, collate ``batch_size`` clips) ->
    :meth:`forward` (``model.test_step`` without gradients) ->
    :meth:`visualize` (a registered ``SignLocalVisualizer``) ->
    :meth:`postprocess` (one plain, JSON-able dict per clip, or the
    :class:`SignDataSample` s with ``return_datasamples=True``). Keyword
    arguments go to the step that declares them (``preprocess_kwargs``,
    ``forward_kwargs``, ``visualize_kwargs``, ``postprocess_kwargs``);
    an unknown one is refused by name.

    The task follows what the model predicts, not its class: ISLR gives the
    ``topk`` classes as ``[{'label': name, 'score': p}, ...]`` (as a
    Hugging Face pipeline does; names from ``class_names``, else the
    model's ``dataset_meta['classes']``, else the index as a string), CSLR
    a ``gloss`` list, GF-SLT a ``text``. A model with an STC head on a text
    encoder (pre-training, retrieval and project models alike) ranks
    sentences: call it with ``texts=`` (sign -> text, V2T) or use
    :meth:`search` (text -> sign, T2V).

    A clip that lacks a part of the model's keypoint layout (a hand, the
    face) in most frames is answered with a logged warning naming the part
    (:func:`warn_missing_parts`).

    Inputs are ``.pose`` files (COCO-WholeBody, MediaPipe Holistic or
    OpenPose layouts, mapped onto COCO-WholeBody 133), ``.npz``/``.npy``
    COCO-WholeBody arrays, or videos, whose poses are extracted first with
    ``pose_backend`` (see ``tools/data/extract_pose.py``).

    The model is built by :func:`init_model` rather than
    ``BaseInferencer.__init__``, which knows neither published
    ``.safetensors`` files nor a model given as a module.

    Args:
        model (str, Config or nn.Module, optional): Model config (its test
            pipeline prepares the input), or a model from
            :func:`init_model`; None takes a published checkpoint's own.
        weights (str, optional): Trained weights (``.pth``, or a
            published ``.safetensors`` file).
        device (str): ``'cpu'`` or ``'cuda'``...
        topk (int): Classes (ISLR) or sentences (V2T) returned per clip by
            default (the ``topk`` call argument overrides it).
        class_names (list or str, optional): ISLR class names by label, or
            a text file with one name per line; overrides the model's.
        pose_backend (str): Pose estimator used on video inputs (built once,
            on the first video; :meth:`close` frees it).
        pose_backend_options (dict, optional): Its options.
        video_info (dict, optional): ``width``, ``height`` and ``fps`` of
            ``.npy`` inputs (and of ``.npz`` files that do not store them).
        show_progress (bool): Show a progress bar over the batches.
    """

    preprocess_kwargs: set = set()
    forward_kwargs: set = set()
    visualize_kwargs: set = {'return_vis', 'show', 'draw_pred', 'vis_out_dir'}
    postprocess_kwargs: set = {'topk'}

    def __init__(self,
                 model: Union[None, str, torch.nn.Module] = None,
                 weights: Optional[str] = None,
                 device: str = 'cpu',
                 topk: int = 5,
                 class_names: Union[None, str, Sequence[str]] = None,
                 pose_backend: str = 'mediapipe',
                 pose_backend_options: Optional[dict] = None,
                 video_info: Optional[dict] = None,
                 show_progress: bool = False) -> None:
        self.scope = 'slp_mm'
        self.model = (model if isinstance(model, torch.nn.Module) else
                      init_model(model, weights, device))
        self.cfg = self.model.cfg
        self.pipeline = self._init_pipeline(self.cfg)
        self.collate_fn = self._init_collate(self.cfg)
        self.visualizer = None  # built on the first drawing
        self.show_progress = show_progress
        self.topk = topk
        self.class_names = self._class_names(class_names)
        self.layout = next((t.layout for t in self.pipeline.transforms
                            if isinstance(t, SelectKeypoints)), None)
        self.pose_backend = pose_backend
        self.pose_backend_options = dict(pose_backend_options or {})
        self.video_info = dict(video_info or {})
        self._extractor = None
        self._gallery = None  # the sentences of a V2T call, encoded
        self._poses = None  # the clips of a call that draws them

    def _init_pipeline(self, cfg):
        return build_test_pipeline(cfg)

    def _init_collate(self, cfg):
        """The test dataloader's ``collate_fn`` built as mmengine's Runner
        builds it (a ``dict(type=...)``; ``BaseInferencer`` takes only a
        name), else ``pseudo_collate``."""
        loader = cfg.get('test_dataloader') or {}
        collate = dict(loader.get('collate_fn') or dict(type='pseudo_collate'))
        return partial(FUNCTIONS.get(collate.pop('type')), **collate)

    def _class_names(self, names) -> Optional[List[str]]:
        """ISLR names by label: given, or the model's ``dataset_meta``."""
        if isinstance(names, str):
            with open(names, encoding='utf-8') as f:
                names = [line.strip() for line in f if line.strip()]
        if not names:
            names = (getattr(self.model, 'dataset_meta', None)
                     or {}).get('classes')
        return [str(n) for n in names] if names else None

    @property
    def is_retrieval(self) -> bool:
        """Whether the model ranks sentences: it has an STC head on a text
        encoder (pre-training, retrieval and project models alike), whatever
        its class."""
        return (getattr(self.model, 'stc_head', None) is not None
                and getattr(self.model, 'text_encoder', None) is not None)

    # -- inputs -------------------------------------------------------------
    def _inputs_to_list(self, inputs: Inputs) -> List[str]:
        return list_clips(inputs)

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
            try:
                self._extractor = build_pose_extractor(
                    self.pose_backend, **self.pose_backend_options)
            except ImportError as e:  # an optional backend not installed
                raise UserError(f'{path}: cannot extract its poses: {e}') \
                    from e
        return pose_to_sample(self._extractor.extract(path))

    def close(self) -> None:
        """Free the pose extractor of video inputs, if one was built."""
        if self._extractor is not None:
            self._extractor.close()
            self._extractor = None

    # -- the four steps -------------------------------------------------------
    def __call__(self,
                 inputs: Inputs,
                 return_datasamples: bool = False,
                 batch_size: int = 8,
                 texts: Optional[Sequence[str]] = None,
                 language: Optional[str] = None,
                 **kwargs) -> Union[List[dict], List[SignDataSample]]:
        """Results for every clip of ``inputs``, in order, each with its
        ``file``.

        For a sign-text model, ``texts`` (with their ``language``) are the
        gallery, encoded once: each result holds its ``topk`` best
        ``ranked_texts`` as (text, score) pairs, and each data sample the
        gallery's scores as ``pred_score``.
        """
        if texts and not self.is_retrieval:
            raise ValueError(f'{type(self.model).__name__} does not embed '
                             'text: texts= needs a pre-training or retrieval '
                             'model')
        if self.is_retrieval and not texts:
            raise ValueError(
                f'{type(self.model).__name__} is a sign-text model: pass '
                'texts=[...] (and language=) to rank sentences for each '
                'clip, or use search() to rank clips')
        draws = any(kwargs.get(k) for k in ('return_vis', 'show',
                                            'vis_out_dir'))
        try:
            self._gallery = (self._encode_texts(texts, language)
                             if texts else None)
            self._poses = {} if draws else None
            with torch.no_grad():
                return super().__call__(inputs, return_datasamples,
                                        batch_size, **kwargs)
        finally:
            self._gallery = self._poses = None

    def _prepare(self, path: str) -> dict:
        pose = self.read(path)
        if self.layout is not None:
            warn_missing_parts(pose['keypoints'], pose['scores'],
                               self.layout, path)
        if self._poses is not None:
            self._poses[path] = pose
        item = self.pipeline(
            dict(pose, id=path, text=None, language=None,
                 corpus_location=path))
        if item is None:
            raise ValueError(f'{path}: rejected by the test pipeline (see '
                             'the logged reason)')
        return item

    def preprocess(self, inputs: List[str], batch_size: int = 8, **kwargs):
        """Collated batches of ``batch_size`` prepared clips."""
        for chunk in self._get_chunk_data(map(self._prepare, inputs),
                                          batch_size):
            yield self.collate_fn(chunk)

    @torch.no_grad()
    def forward(self, inputs: dict, **kwargs) -> List[SignDataSample]:
        """``model.test_step``; for a sign-text model, whose test step embeds
        each clip's own sentence (what the retrieval metric scores), the
        clips' STC embeddings and their scores against the gallery."""
        if self._gallery is None:
            return self.model.test_step(inputs)
        model, head = self.model, self.model.stc_head
        data = model.data_preprocessor(inputs, False)
        pose_mask = data['inputs']['pose_mask']
        feats = model.extract_feat(data['inputs']['pose'],
                                   pose_mask)  # (B, T, C)
        clips, clip_mask, words, word_mask = head.embed(
            feats, pose_mask, *self._gallery['text'])  # (B, T', E)
        scores = head.similarity(clips, clip_mask, words,
                                 word_mask)  # (B, N_texts)
        samples = data['data_samples']
        for i, sample in enumerate(samples):
            sample.clip_embeds = clips[i]
            sample.clip_mask = clip_mask[i]
            sample.word_temperature = head.word_temperature
            sample.pred_score = scores[i].cpu()
        return samples

    def visualize(self,
                  inputs: List[str],
                  preds: List[SignDataSample],
                  return_vis: bool = False,
                  show: bool = False,
                  draw_pred: bool = True,
                  vis_out_dir: str = '') -> Optional[List[np.ndarray]]:
        """Draw each clip's pose with its prediction (``SignLocalVisualizer``
        from the ``VISUALIZERS`` registry): shown, written as
        ``vis_out_dir/<clip name>.png``, and returned as RGB images with
        ``return_vis``. Nothing is drawn unless one of them is asked."""
        if not (return_vis or show or vis_out_dir):
            return None
        if self.visualizer is None:
            self.visualizer = VISUALIZERS.build(
                dict(type='SignLocalVisualizer',
                     name=f'sign_inferencer-{datetime.now().timestamp()}'))
        # a sign-text model's scores rank the gallery: its sentences name them
        names = self._gallery['texts'] if self._gallery else self.class_names
        self.visualizer.dataset_meta = dict(classes=names)
        images = []
        for path, sample in zip(inputs, preds):
            name = osp.splitext(osp.basename(path))[0]
            images.append(self.visualizer.add_datasample(
                name,
                sample,
                pose=self._poses[path],
                draw_pred=draw_pred,
                show=show,
                out_file=(osp.join(vis_out_dir, f'{name}.png')
                          if vis_out_dir else None),
                step=0))
        return images if return_vis else None

    def postprocess(self,
                    preds: List[SignDataSample],
                    visualization: Optional[List[np.ndarray]] = None,
                    return_datasamples: bool = False,
                    topk: Optional[int] = None) -> Union[List[dict],
                                                         List[SignDataSample]]:
        """One plain dict per clip: ``file``, the prediction (see the class
        docstring) and, when drawn with ``return_vis``, ``visualization``;
        or the data samples themselves."""
        if return_datasamples:
            return preds
        topk = self.topk if topk is None else topk
        results = []
        for i, sample in enumerate(preds):
            result = dict(file=sample.sample_id,
                          **self._prediction(sample, topk))
            if visualization is not None:
                result['visualization'] = visualization[i]
            results.append(result)
        return results

    def _prediction(self, sample: SignDataSample, topk: int) -> dict:
        if self._gallery is not None:
            texts = self._gallery['texts']
            scores, order = sample.pred_score.topk(min(topk, len(texts)))
            return dict(ranked_texts=[(texts[j], s) for j, s in zip(
                order.tolist(), scores.tolist())])
        if 'pred_score' in sample:
            return dict(topk=self._labels(sample.pred_score, topk))
        if 'pred_gloss' in sample:
            return dict(gloss=sample.pred_gloss)
        if 'pred_text' in sample:
            return dict(text=sample.pred_text)
        raise RuntimeError('the model predicted none of pred_score, '
                           'pred_gloss, pred_text')

    def _labels(self, pred_score: torch.Tensor, topk: int) -> List[dict]:
        """The ``topk`` classes, best first, as ``{'label', 'score'}``."""
        names = self.class_names
        if names is not None and len(names) != len(pred_score):
            raise ValueError(f'{len(names)} class names for a model of '
                             f'{len(pred_score)} classes')
        scores, labels = pred_score.topk(min(topk, len(pred_score)))
        return [
            dict(label=names[i] if names else str(i), score=s)
            for i, s in zip(labels.tolist(), scores.tolist())
        ]

    # -- sign-text retrieval --------------------------------------------------
    def search(self,
               query: str,
               inputs: Inputs,
               language: Optional[str] = None,
               batch_size: int = 8) -> List[dict]:
        """Text -> sign retrieval: every clip of ``inputs`` ranked by its
        similarity to the ``query`` sentence, best first."""
        if not self.is_retrieval:
            raise ValueError(f'{type(self.model).__name__} does not embed '
                             'text: search() needs a pre-training or '
                             'retrieval model')
        files = self._inputs_to_list(inputs)
        sim = self.similarity(files, [query], language, batch_size)[:, 0]
        order = sim.argsort(descending=True).tolist()
        return [dict(file=files[i], score=sim[i].item()) for i in order]

    def similarity(self, files: Inputs, texts: Sequence[str],
                   language: Optional[str],
                   batch_size: int = 8) -> torch.Tensor:
        """Fine-grained (or coarse, as the model's STC head says) sign-text
        scores (num files, num texts), on the CPU."""
        samples = self(files, True, batch_size, texts=texts,
                       language=language)
        return torch.stack([s.pred_score for s in samples])

    def _encode_texts(self, texts: Sequence[str],
                      language: Optional[str]) -> dict:
        """The gallery: ``texts`` and their (N, L, D) text-encoder features
        with (N, L) mask, tokenised as the test pipeline's
        :class:`TokenizeText` does (language token included)."""
        tokenize = [t for t in self.pipeline.transforms
                    if isinstance(t, TokenizeText)]
        if not tokenize:
            raise ValueError('the config\'s test pipeline has no '
                             'TokenizeText transform to encode the texts')
        empty = [i for i, t in enumerate(texts)
                 if not isinstance(t, str) or not t.strip()]
        if empty:
            raise ValueError(f'texts {empty} are empty or not strings')
        ids = [tokenize[0](dict(
            text=t, language=language, id=f'text {i}'))['text_ids']
               for i, t in enumerate(texts)]
        device = self.model.data_preprocessor.device
        pad_id = self.model.data_preprocessor.text_pad_id
        text_ids = torch.nn.utils.rnn.pad_sequence(
            ids, batch_first=True, padding_value=pad_id).to(device)  # (N, L)
        lengths = torch.tensor([len(i) for i in ids], device=device)
        text_mask = (torch.arange(text_ids.shape[1], device=device)[None]
                     < lengths[:, None])
        with torch.no_grad():
            feats = self.model.text_encoder(text_ids, text_mask)
        return dict(texts=list(texts), text=(feats, text_mask))
