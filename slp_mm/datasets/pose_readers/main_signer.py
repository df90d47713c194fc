"""How prominent a person is in the frame: the cue the readers use to pick
the main signer among several detected people (an interpreter beside a
presenter, a false detection)."""
import numpy as np


def box_area(box: np.ndarray) -> float:
    """Area of an (x1, y1, x2, y2) box; 0 for an empty one."""
    return max(box[2] - box[0], 0) * max(box[3] - box[1], 0)


def box_prominence(box: np.ndarray, width: float, height: float) -> float:
    """Share of the image a box covers, scaled down the further its centre
    lies from the image centre (0 at a corner)."""
    offset = np.hypot((box[0] + box[2] - width) / 2,
                      (box[1] + box[3] - height) / 2)
    centrality = max(0.0, 1 - offset / (np.hypot(width, height) / 2))
    return box_area(box) / (width * height) * centrality
