from .inference import inference_recognizer, init_model, test_pipeline_cfg
from .sign_inferencer import SignInferencer

__all__ = [
    'init_model', 'inference_recognizer', 'SignInferencer', 'test_pipeline_cfg'
]
