from .sign_acc_metric import SignAccMetric

__all__ = ['SignAccMetric']
