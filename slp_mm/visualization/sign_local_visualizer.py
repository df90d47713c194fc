"""The visualizer configs name (``visualizer=dict(type='SignLocalVisualizer',
vis_backends=...)``): pose skeletons with a prediction, masked pose
modelling (MPM) reconstructions and clip x word similarity heatmaps, sent to
mmengine's vis backends or written to a file.

Pictures are drawn by the functions of this package (OpenCV skeletons,
matplotlib heatmaps) and handed over as RGB images, as mmengine's
:class:`Visualizer` expects; titles go through its matplotlib
:meth:`draw_texts`, so non-ASCII labels and sentences print.
"""
from typing import Optional, Sequence

import numpy as np
from mmengine.visualization import Visualizer

from slp_mm.registry import VISUALIZERS

from .image_file import save_image
from .mpm_reconstruction import draw_mpm_reconstruction
from .pose_drawer import check_pose_to_draw, draw_pose_grid, pose_in_pixels
from .similarity_heatmap import draw_similarity_heatmap, figure_to_rgb

TITLE_BAND = 0.045  # title height as a share of the picture width


@VISUALIZERS.register_module()
class SignLocalVisualizer(Visualizer):
    """mmengine's :class:`Visualizer` for sign-language samples.

    Args:
        name (str): Instance name (mmengine keeps one instance per name).
        vis_backends (list[dict], optional): Backends ``add_*`` calls write
            to (e.g. ``LocalVisBackend``, ``TensorboardVisBackend``).
        save_dir (str, optional): Where the backends write.
        width (int): Width in pixels of the pose pictures.
        num_frames (int): Frames in a pose picture.
        score_thr (float): Joints scored under it are not drawn.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 vis_backends: Optional[Sequence[dict]] = None,
                 save_dir: Optional[str] = None,
                 width: int = 1280,
                 num_frames: int = 8,
                 score_thr: float = 0.3,
                 **kwargs) -> None:
        super().__init__(name=name,
                         vis_backends=vis_backends,
                         save_dir=save_dir,
                         **kwargs)
        self.width, self.num_frames = width, num_frames
        self.score_thr = score_thr

    def add_datasample(self,
                       name: str,
                       data_sample=None,
                       pose: Optional[dict] = None,
                       draw_pred: bool = True,
                       show: bool = False,
                       out_file: Optional[str] = None,
                       step: int = 0) -> np.ndarray:
        """Draw a pose sequence as a frame grid titled with the sample's
        prediction (:meth:`prediction_title`), then show it, write it to
        ``out_file``, or (neither given) send it to the vis backends.

        Args:
            name: The image's name in the backends.
            data_sample (SignDataSample, optional): Holds the prediction.
            pose (dict): ``keypoints`` (T, K, 2) in pixels, ``scores``
                (T, K), ``width`` and ``height`` of the frame, optional
                ``layout`` (default ``coco_wholebody_133``) and ``id``: what
                :func:`read_pose_file` returns.
            draw_pred: Title the picture with the prediction.

        Returns:
            np.ndarray: The picture, (H, W, 3) RGB.
        """
        if pose is None:
            raise ValueError(f'{name}: add_datasample needs the pose to draw '
                             '(pose=dict(keypoints, scores, width, height))')
        keypoints, size = pose_in_pixels(pose['keypoints'],
                                         (pose['width'], pose['height']))
        check_pose_to_draw(keypoints, pose['scores'], size,
                           pose.get('id', name), self.score_thr)
        img = draw_pose_grid(keypoints,
                             pose['scores'],
                             pose.get('layout', 'coco_wholebody_133'),
                             size,
                             self.num_frames,
                             width=self.width,
                             score_thr=self.score_thr)
        title = (self.prediction_title(data_sample)
                 if draw_pred and data_sample is not None else None)
        return self._output(name, self._titled(img[..., ::-1], title), show,
                            out_file, step)

    def prediction_title(self, data_sample) -> Optional[str]:
        """``'LABEL (0.43)'`` of the top class, the translated text or the
        recognised glosses of a predicted sample (None without a
        prediction); class names come from ``dataset_meta['classes']``."""
        score = data_sample.get('pred_score')
        if score is not None:
            label = int(score.argmax())
            classes = (self.dataset_meta or {}).get('classes')
            name = classes[label] if classes is not None else str(label)
            return f'{name} ({float(score[label]):.2f})'
        for key in ('pred_text', 'pred_gloss'):
            value = data_sample.get(key)
            if value is not None:
                return value if isinstance(value, str) else ' '.join(
                    map(str, value))
        return None

    def add_mpm_reconstruction(self,
                               name: str,
                               pose: np.ndarray,
                               mpm_mask: np.ndarray,
                               reconstruction: np.ndarray,
                               title: Optional[str] = None,
                               show: bool = False,
                               out_file: Optional[str] = None,
                               step: int = 0,
                               **draw_kwargs) -> np.ndarray:
        """The input / masked / reconstructed picture of
        :func:`draw_mpm_reconstruction` (``draw_kwargs``: its layout,
        box_parts, frames, panel_size), output as :meth:`add_datasample`'s.
        """
        img = draw_mpm_reconstruction(pose,
                                      mpm_mask,
                                      reconstruction,
                                      score_thr=self.score_thr,
                                      **draw_kwargs)
        return self._output(name, self._titled(img[..., ::-1], title), show,
                            out_file, step)

    def add_similarity_heatmap(self,
                               name: str,
                               maps: dict,
                               title: Optional[str] = None,
                               show: bool = False,
                               out_file: Optional[str] = None,
                               step: int = 0,
                               dpi: int = 120) -> np.ndarray:
        """The clip x word heatmaps of :func:`pair_similarity_maps`'s
        ``maps`` (drawn by :func:`draw_similarity_heatmap`), output as
        :meth:`add_datasample`'s."""
        fig = draw_similarity_heatmap(maps['sim'], maps['weighted'],
                                      maps['words'], maps['clips'], title)
        return self._output(name, figure_to_rgb(fig, dpi), show, out_file,
                            step)

    def _titled(self, rgb: np.ndarray, title: Optional[str]) -> np.ndarray:
        """``rgb`` under a white band holding ``title`` (drawn with
        matplotlib through :meth:`draw_texts`)."""
        if not title:
            return rgb
        w = rgb.shape[1]
        band = max(24, int(TITLE_BAND * w))
        self.set_image(np.vstack([np.full((band, w, 3), 255, np.uint8), rgb]))
        font_px = 0.6 * band
        self.draw_texts(title,
                        np.array([w / 2, band / 2]),
                        font_sizes=font_px * 72 / self.dpi,
                        colors='black',
                        vertical_alignments='center',
                        horizontal_alignments='center')
        return self.get_image()

    def _output(self, name: str, rgb: np.ndarray, show: bool,
                out_file: Optional[str], step: int) -> np.ndarray:
        """Show ``rgb`` and write it to ``out_file``, or (no file) add it to
        the vis backends, as mmengine's visualizers do; return it."""
        if show:
            self.show(rgb, win_name=name)
        if out_file is not None:
            save_image(rgb[..., ::-1], out_file)
        else:
            self.add_image(name, rgb, step)
        return rgb
