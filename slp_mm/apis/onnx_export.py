"""ONNX export of the pose side of a trained model, to run it without
PyTorch (onnxruntime, TensorRT...).

Two graphs, chosen by the model:

- ISLR (:class:`SignRecognizer` with a classification head): poses ->
  class logits;
- a sign-text model (pre-training / retrieval, an STC head): poses -> the
  normalised clip embeddings of the fine-grained sign-text contrastive head
  and their mask, which a text side computed elsewhere is scored against.

Both take what the data preprocessor gives the model: ``pose`` (B, T, K, C)
float32 (normalised coordinates + confidence, :class:`SignDataPreprocessor`)
and ``pose_mask`` (B, T) bool, with batch and time as dynamic axes. The
input pipeline (reading, keypoint selection, normalisation) stays in Python.
Exported with torch's dynamo exporter (``torch.export`` + ``onnxscript``):
the TorchScript exporter (``dynamo=False``) of torch 2.13 freezes the
sequence length inside ``nn.MultiheadAttention`` (a graph traced at 16
frames fails on 23 under onnxruntime), so dynamic time would not hold.
"""
import logging
import warnings
from typing import Optional, Tuple

import numpy as np
import torch
from torch import nn

OPSET = 18  # the dynamo exporter's lowest


class PoseClassifierGraph(nn.Module):
    """poses (B, T, K, C), mask (B, T) -> logits (B, num_classes)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, pose: torch.Tensor,
                pose_mask: torch.Tensor) -> torch.Tensor:
        feats = self.model.extract_feat(pose, pose_mask)  # (B, T, C)
        return self.model.head(feats, pose_mask)


class PoseEmbeddingGraph(nn.Module):
    """poses (B, T, K, C), mask (B, T) -> clip embeddings (B, T', E) and
    clip mask (B, T') of the STC head (T' = 1 for a coarse head)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        # the head embeds both sides at once; a one-word stand-in text
        # keeps its pose half as it is (no copy of that code here)
        text_channels = model.stc_head.text_proj.in_features
        self.register_buffer('text_feats', torch.zeros(1, 1, text_channels))
        self.register_buffer('text_mask', torch.ones(1, 1, dtype=torch.bool))

    def forward(self, pose: torch.Tensor, pose_mask: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        feats = self.model.extract_feat(pose, pose_mask)  # (B, T, C)
        clips, clip_mask, _, _ = self.model.stc_head.embed(
            feats, pose_mask, self.text_feats, self.text_mask)
        return clips, clip_mask


def export_graph(model: nn.Module) -> nn.Module:
    """The exportable graph of ``model`` (see the module docstring)."""
    head = getattr(model, 'head', None)
    if head is not None and hasattr(head, 'fc') and \
            type(model).__name__ == 'SignRecognizer':
        return PoseClassifierGraph(model).eval()
    if getattr(model, 'stc_head', None) is not None:
        return PoseEmbeddingGraph(model).eval()
    raise ValueError(
        f'{type(model).__name__}: only ISLR models (SignRecognizer with a '
        'classification head) and models with an STC head export to ONNX; '
        'CTC decoding and text generation stay in Python')


def example_inputs(model: nn.Module, batch_size: int = 2,
                   num_frames: int = 16) -> Tuple[torch.Tensor, torch.Tensor]:
    """Random (pose, pose_mask) of the model's keypoint layout, the second
    clip shorter (padded), to trace and to check an export with."""
    num_keypoints = model.embedder.layout.num_keypoints
    gen = torch.Generator().manual_seed(0)
    pose = torch.rand(batch_size, num_frames, num_keypoints, 3,
                      generator=gen) * 2 - 1  # (B, T, K, 3)
    pose[..., 2] = pose[..., 2].abs()  # confidence in [0, 1]
    mask = torch.ones(batch_size, num_frames, dtype=torch.bool)
    mask[1:, num_frames // 2:] = False
    return pose, mask


def export_onnx(model: nn.Module, out_file: str,
                opset: int = OPSET) -> Tuple[str, ...]:
    """Write the ONNX graph of ``model`` (eval mode, CPU) to ``out_file``
    (one file, weights inside) and return its output names."""
    graph = export_graph(model.cpu().eval())
    outputs = (('logits', ) if isinstance(graph, PoseClassifierGraph) else
               ('clip_embeddings', 'clip_mask'))
    batch = torch.export.Dim('batch', min=1)
    time = torch.export.Dim('time', min=2, max=model.encoder.max_frames)
    fastpath = torch.backends.mha.get_fastpath_enabled()
    # the fused inference kernel of nn.TransformerEncoderLayer has no ONNX
    # form: trace the plain layers
    torch.backends.mha.set_fastpath_enabled(False)
    # torch logs every torchvision op it cannot register and warns that
    # the two inputs share their axes: noise for this graph
    registration = logging.getLogger(
        'torch.onnx._internal.exporter._registration')
    level = registration.level
    registration.setLevel(logging.ERROR)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.filterwarnings('ignore', message='# The axis name')
            torch.onnx.export(
                graph, example_inputs(model), out_file,
                input_names=['pose', 'pose_mask'],
                output_names=list(outputs),
                dynamic_shapes=dict(pose={0: batch, 1: time},
                                    pose_mask={0: batch, 1: time}),
                opset_version=opset, dynamo=True, external_data=False,
                verbose=False)
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)
        registration.setLevel(level)
    return outputs


def onnx_max_abs_difference(model: nn.Module, onnx_file: str,
                            inputs: Optional[Tuple[torch.Tensor,
                                                   torch.Tensor]] = None
                            ) -> float:
    """Largest absolute difference between the PyTorch model and its ONNX
    export under onnxruntime (CPU) on ``inputs`` (default: 3 clips of 23
    frames, another shape than the one traced)."""
    import onnxruntime as ort
    pose, mask = inputs or example_inputs(model, 3, 23)
    with torch.no_grad():
        expected = export_graph(model.cpu().eval())(pose, mask)
    expected = expected if isinstance(expected, tuple) else (expected, )
    session = ort.InferenceSession(onnx_file,
                                   providers=['CPUExecutionProvider'])
    got = session.run(None, dict(pose=pose.numpy(), pose_mask=mask.numpy()))
    return max(
        float(np.abs(g.astype(np.float64) - e.numpy().astype(np.float64))
              .max(initial=0)) for g, e in zip(got, expected))
