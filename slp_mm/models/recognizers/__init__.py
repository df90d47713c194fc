from .sign_recognizer import SignCTCRecognizer, SignRecognizer

__all__ = ['SignRecognizer', 'SignCTCRecognizer']
