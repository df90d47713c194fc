from .sign_retriever import SignRetriever

__all__ = ['SignRetriever']
