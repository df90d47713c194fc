from .sign_recognizer import SignCTCRecognizer, SignRecognizer
from .sign_translator import SignTranslator

__all__ = ['SignRecognizer', 'SignCTCRecognizer', 'SignTranslator']
