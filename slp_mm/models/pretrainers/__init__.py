from .sign_pretrainer import SignPretrainer

__all__ = ['SignPretrainer']
