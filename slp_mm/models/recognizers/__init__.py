from .sign_recognizer import SignRecognizer

__all__ = ['SignRecognizer']
