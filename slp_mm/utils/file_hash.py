"""SHA-256 of files, read in blocks (corpus shards are gigabytes)."""
import hashlib


def file_sha256(path: str, block: int = 1 << 22) -> str:
    """Hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(block), b''):
            digest.update(chunk)
    return digest.hexdigest()
