"""The keypoint layouts the backends produce and their ``.pose`` headers.

The headers match the files the pose-format project publishes (and that
``read_pose_file`` recognises by component name), so an extracted file and
a downloaded one are interchangeable:

- ``mediapipe_holistic`` (576 points, XYZC): POSE_LANDMARKS 33,
  FACE_LANDMARKS 468, LEFT_HAND_LANDMARKS 21, RIGHT_HAND_LANDMARKS 21,
  POSE_WORLD_LANDMARKS 33, as pose-format's own ``video_to_pose`` writes
  them (built by its ``holistic_components``).
- ``coco_wholebody_133`` (XYC): BODY 23, FACE 68, LEFT_HAND 21, RIGHT_HAND
  21 in COCO-WholeBody order, as in pose-format's MMPose files
  (``left_hand_0``... point names, no face limbs). pose-format 0.15.0's
  ``cocowholebody_components`` differs from those files (generic
  ``hand_0`` names, face limbs), so only its point and limb lists are
  reused.
"""
MEDIAPIPE_HOLISTIC = 'mediapipe_holistic'
COCO_WHOLEBODY_133 = 'coco_wholebody_133'


def layout_components(layout: str) -> list:
    """The pose-format ``PoseHeaderComponent`` list of a layout."""
    builders = {
        MEDIAPIPE_HOLISTIC: _mediapipe_holistic_components,
        COCO_WHOLEBODY_133: _coco_wholebody_components,
    }
    if layout not in builders:
        raise ValueError(f'unknown pose layout {layout!r}, expected one of '
                         f'{sorted(builders)}')
    return builders[layout]()


def _mediapipe_holistic_components() -> list:
    # imports mediapipe (the limbs are its connection lists)
    from pose_format.utils.holistic import holistic_components
    return holistic_components('XYZC')


def _coco_wholebody_components() -> list:
    from pose_format.pose_header import PoseHeaderComponent
    from pose_format.utils.cocowholebody133_header import (BODY_LIMBS,
                                                           BODY_POINTS,
                                                           FACE_POINTS,
                                                           HAND_LIMBS)
    hand_points = [f'hand_{i}' for i in range(21)]

    def component(name, points, limbs, color):
        return PoseHeaderComponent(
            name=name,
            points=points,
            limbs=limbs,
            colors=[color],
            point_format='XYC')

    return [
        component('BODY', BODY_POINTS, BODY_LIMBS, (0, 255, 0)),
        component('FACE', FACE_POINTS, [], (255, 255, 255)),
        component('LEFT_HAND', [f'left_{p}' for p in hand_points],
                  HAND_LIMBS, (0, 255, 0)),
        component('RIGHT_HAND', [f'right_{p}' for p in hand_points],
                  HAND_LIMBS, (255, 128, 0)),
    ]
