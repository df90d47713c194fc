from .inference import inference_recognizer, init_model
from .sign_inferencer import SignInferencer

__all__ = ['init_model', 'inference_recognizer', 'SignInferencer']
