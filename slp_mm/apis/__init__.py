from .inference import inference_recognizer, init_model

__all__ = ['init_model', 'inference_recognizer']
