from .length_bucket_sampler import LengthBucketSampler

__all__ = ['LengthBucketSampler']
