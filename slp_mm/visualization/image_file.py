"""Write a drawing to an image file, with errors that name the path."""
import os.path as osp

import mmcv
import numpy as np

from slp_mm.utils.cli_errors import UserError

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.webp')


def save_image(img: np.ndarray, path: str) -> None:
    """Write a BGR image with ``mmcv.imwrite`` (which makes the parent
    folders), after checking what OpenCV would otherwise fail on with its
    own internals: a folder or a name without an image extension."""
    if osp.isdir(path):
        raise UserError(f'{path}: is a directory; expected an image file '
                        f'name ending in one of {IMAGE_EXTENSIONS}')
    ext = osp.splitext(path)[1].lower()
    if ext not in IMAGE_EXTENSIONS:
        raise UserError(f'{path}: unknown image format {ext!r}; expected '
                        f'one of {IMAGE_EXTENSIONS}')
    if not mmcv.imwrite(img, path):
        raise UserError(f'{path}: the image could not be written')
