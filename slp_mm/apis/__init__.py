from .inference import inference_recognizer
from .model import (build_test_pipeline, init_model, test_pipeline_cfg,
                    train_pipeline_cfg)
from .sign_inferencer import SignInferencer

__all__ = [
    'init_model', 'inference_recognizer', 'SignInferencer',
    'test_pipeline_cfg', 'train_pipeline_cfg', 'build_test_pipeline'
]
