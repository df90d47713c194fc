"""Models that carry what they need: the config and class names travel with
a checkpoint, a published file and a Hub folder; loading a published model
runs no code; a checkpoint that does not fit its config is one sentence."""
import json
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from slp_mm.apis import init_model
from slp_mm.apis.model_publishing import publish_model
from slp_mm.utils.file_hash import file_sha256

from ..conftest import REPO

ISLR = osp.join(REPO, 'configs', 'islr', 'traduttore_asl_words_scratch.py')
CLASSES = [f'sign {i}' for i in range(14)]  # a space in a name, on purpose


def _publish(checkpoint, out_prefix=None, **kwargs):
    return publish_model(str(checkpoint), out_prefix and str(out_prefix),
                         **kwargs)


@pytest.fixture(scope='module')
def islr(tmp_path_factory):
    """A training checkpoint of the 14-class ISLR model as mmengine's Runner
    saves it (meta.cfg, meta.dataset_meta, a validation scalar), and the
    model it came from."""
    from mmengine.logging import HistoryBuffer
    torch.manual_seed(0)
    model = init_model(ISLR)
    top1, val_time = HistoryBuffer(), HistoryBuffer()
    top1.update(0.75)
    val_time.update(0.5)
    ckpt = tmp_path_factory.mktemp('islr') / 'epoch_60.pth'
    torch.save(dict(
        meta=dict(cfg=model.cfg.pretty_text, epoch=60,
                  dataset_meta=dict(classes=CLASSES)),
        state_dict=model.state_dict(),
        message_hub=dict(log_scalars={'val/acc/top1': top1,
                                      'val/time': val_time})),
        ckpt)
    return str(ckpt), model


def _same_weights(a, b):
    sb = b.state_dict()
    return all(torch.equal(v, sb[k]) for k, v in a.state_dict().items())


def test_checkpoint_carries_config_and_class_names(islr):
    ckpt, model = islr
    loaded = init_model(None, ckpt)  # the config read from meta.cfg
    assert type(loaded).__name__ == 'SignRecognizer'
    assert _same_weights(loaded, model)
    assert loaded.dataset_meta == dict(classes=CLASSES)
    assert init_model(ISLR, ckpt).dataset_meta['classes'] == CLASSES


def test_published_model_carries_config_and_class_names(islr, tmp_path):
    ckpt, model = islr
    out = _publish(ckpt, tmp_path / 'islr')
    loaded = init_model(None, out)
    assert _same_weights(loaded, model)
    assert loaded.dataset_meta == dict(classes=CLASSES)
    # the side file written beside it is accepted: it is the same config
    side = out[:-len('.safetensors')] + '.py'
    assert _same_weights(init_model(side, out), model)


def test_published_model_runs_no_config_code(islr, tmp_path):
    """Issue 18 #5: code appended to the side .py never runs; the file is
    refused, naming both files."""
    ckpt, _ = islr
    out = _publish(ckpt, tmp_path / 'islr')
    side = out[:-len('.safetensors')] + '.py'
    marker = tmp_path / 'pwned'
    with open(side, 'a') as f:
        f.write(f'import os; open({str(marker)!r}, "w")\n')
    with pytest.raises(ValueError) as e:
        init_model(side, out)
    assert not marker.exists()
    assert str(e.value).startswith(f'{side} differs from the config stored '
                                   f'in {out}')
    other = tmp_path / 'other.py'  # any other config file: same refusal
    other.write_text(f'open({str(marker)!r}, "w")\nmodel = dict()\n')
    with pytest.raises(ValueError, match='differs from the config stored'):
        init_model(str(other), out)
    assert not marker.exists()
    # a Config object the caller built is theirs to trust
    assert init_model(Config.fromfile(ISLR), out) is not None


def test_embedded_config_is_read_as_data(tmp_path):
    """A file whose stored config text holds code (published before the
    JSON form, or forged with a valid hash) is refused, not executed."""
    from safetensors.torch import save_file
    marker = tmp_path / 'pwned'
    forged = tmp_path / 'forged.safetensors'
    save_file({'w': torch.zeros(1)}, str(forged), metadata=dict(
        format='pt', meta='{}', config=(
            f'import os\nopen({str(marker)!r}, "w")\n'
            "model = dict(type='SignRecognizer')\n")))
    named = tmp_path / f'forged-{file_sha256(str(forged))[:8]}.safetensors'
    forged.rename(named)
    with pytest.raises(ValueError, match=r'line 1: only "name = value"'):
        init_model(None, str(named))
    assert not marker.exists()


def test_mismatch_is_one_sentence(islr, tmp_path):
    ckpt, _ = islr
    cfg = Config.fromfile(ISLR)
    cfg.model.head.num_classes = 100
    wrong = tmp_path / 'islr100.py'
    cfg.dump(str(wrong))
    with pytest.raises(RuntimeError) as e:
        init_model(str(wrong), ckpt)
    msg = str(e.value)
    assert msg == (
        f'checkpoint {ckpt} does not match the model of {wrong}: layer '
        "'head.fc.weight' has shape (14, 128) in the checkpoint and "
        '(100, 128) in the model (and 1 more differences); pass the config '
        'it was trained with, or none to use the one it carries')
    assert e.value.__cause__ is None and '\n' not in msg


def test_hub_folder_round_trip_offline(islr, tmp_path, monkeypatch):
    """publish --hub-dir -> a folder huggingface_hub reads as a model card
    with the metrics; loading it as a folder and, from a fake local Hub
    cache, by repo id gives the same model (nothing is downloaded)."""
    import huggingface_hub.constants
    from huggingface_hub import ModelCard
    ckpt, model = islr
    hub = tmp_path / 'hub'
    _publish(ckpt, hub_dir=str(hub))
    assert sorted(p.name for p in hub.iterdir()) == [
        'README.md', 'classes.txt', 'config.json', 'model.safetensors']
    assert (hub / 'classes.txt').read_text().splitlines() == CLASSES
    card = ModelCard.load(str(hub / 'README.md'))
    assert card.data.library_name == 'slp_mm'
    [result] = card.data.eval_results
    assert (result.metric_type, result.metric_value) == ('acc/top1', 0.75)
    assert '| acc/top1 | 0.75 |' in card.text
    assert json.loads((hub / 'config.json').read_text())['model']['type'] \
        == 'SignRecognizer'
    assert _same_weights(init_model(None, str(hub)), model)

    # the Hugging Face cache layout: blobs named by SHA-256, a snapshot of
    # links, refs/main naming the revision
    cache = tmp_path / 'hf_cache'
    repo = cache / 'models--slp-org--islr-demo'
    rev = '0123456789abcdef0123456789abcdef01234567'
    (repo / 'blobs').mkdir(parents=True)
    (repo / 'refs').mkdir()
    (repo / 'refs' / 'main').write_text(rev)
    snapshot = repo / 'snapshots' / rev
    snapshot.mkdir(parents=True)
    for f in hub.iterdir():
        blob = repo / 'blobs' / file_sha256(str(f))
        blob.write_bytes(f.read_bytes())
        (snapshot / f.name).symlink_to(osp.relpath(blob, snapshot))
    monkeypatch.setattr(huggingface_hub.constants, 'HF_HUB_CACHE',
                        str(cache))
    loaded = init_model(None, 'slp-org/islr-demo')
    assert _same_weights(loaded, model)
    assert loaded.dataset_meta['classes'] == CLASSES
    with pytest.raises(FileNotFoundError, match='not-cached/model.* local '
                       'Hugging Face cache'):
        init_model(None, 'not-cached/model')
    # a changed config.json beside the weights is refused
    (hub / 'config.json').write_text('{"model": {"type": "Other"}}')
    with pytest.raises(ValueError, match='config.json differs'):
        init_model(None, str(hub))
