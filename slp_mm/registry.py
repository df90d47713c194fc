"""slp_mm registries: children of mmengine's root registries.

Each registry names the subpackage where its modules live (``locations``), so a
config can build any component by its ``type`` name and the module is imported
lazily, exactly as mmpretrain does.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry

__all__ = [
    'RUNNERS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS', 'OPTIMIZERS',
    'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS',
    'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'FUNCTIONS', 'MODELS', 'MODEL_WRAPPERS',
    'TASK_UTILS', 'KEYPOINT_LAYOUTS', 'METRICS', 'EVALUATOR',
    'VISUALIZERS', 'VISBACKENDS', 'POSE_FORMATS', 'ANNOTATION_LOADERS',
    'POSE_EXTRACTORS'
]

#######################################################################
#                            slp_mm.engine                            #
#######################################################################

RUNNERS = Registry(
    'runner', parent=MMENGINE_RUNNERS, locations=['slp_mm.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['slp_mm.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['slp_mm.engine'])
LOG_PROCESSORS = Registry(
    'log processor',
    parent=MMENGINE_LOG_PROCESSORS,
    locations=['slp_mm.engine'])
OPTIMIZERS = Registry(
    'optimizer', parent=MMENGINE_OPTIMIZERS, locations=['slp_mm.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMENGINE_OPTIM_WRAPPERS,
    locations=['slp_mm.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['slp_mm.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMENGINE_PARAM_SCHEDULERS,
    locations=['slp_mm.engine'])

#######################################################################
#                         slp_mm.preparation                          #
#######################################################################
# Offline preparation has no mmengine counterpart, so these registries are
# roots; ``locations`` still imports the built-in entries on first use, and
# a plugin project adds its own with the decorators named below.

# Per-video pose file formats: name -> reader, registered with
# ``slp_mm.preparation.pose_readers.pose_format``.
POSE_FORMATS = Registry(
    'pose format', locations=['slp_mm.preparation.pose_readers'])
# Source datasets: name -> annotation loader, registered with
# ``slp_mm.preparation.converters.annotation_loader``.
ANNOTATION_LOADERS = Registry(
    'annotation loader', locations=['slp_mm.preparation.converters'])
# Pose estimators run on videos: name -> BasePoseExtractor subclass.
POSE_EXTRACTORS = Registry(
    'pose extractor', locations=['slp_mm.preparation.pose_extraction'])

#######################################################################
#                           slp_mm.datasets                           #
#######################################################################

DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['slp_mm.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMENGINE_DATA_SAMPLERS,
    locations=['slp_mm.datasets'])
# collate functions (a DataLoader's ``collate_fn``)
FUNCTIONS = Registry(
    'function', parent=MMENGINE_FUNCTIONS, locations=['slp_mm.datasets'])
TRANSFORMS = Registry(
    'transform',
    parent=MMENGINE_TRANSFORMS,
    locations=['slp_mm.datasets.transforms'])
# Keypoint layouts (COCO-WholeBody 133, ...): names, parts and graph edges.
KEYPOINT_LAYOUTS = Registry(
    'keypoint layout', locations=['slp_mm.structures'])

#######################################################################
#                            slp_mm.models                            #
#######################################################################

MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['slp_mm.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMENGINE_MODEL_WRAPPERS,
    locations=['slp_mm.models'])
TASK_UTILS = Registry(
    'task util', parent=MMENGINE_TASK_UTILS, locations=['slp_mm.models'])

#######################################################################
#                          slp_mm.evaluation                          #
#######################################################################

METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, locations=['slp_mm.evaluation'])
EVALUATOR = Registry(
    'evaluator', parent=MMENGINE_EVALUATOR, locations=['slp_mm.evaluation'])

#######################################################################
#                        slp_mm.visualization                         #
#######################################################################

VISUALIZERS = Registry(
    'visualizer',
    parent=MMENGINE_VISUALIZERS,
    locations=['slp_mm.visualization'])
VISBACKENDS = Registry(
    'vis_backend',
    parent=MMENGINE_VISBACKENDS,
    locations=['slp_mm.visualization'])
