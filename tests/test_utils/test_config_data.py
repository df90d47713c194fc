"""Configs as data: shipped configs survive JSON and their pretty_text
read without running code; code in a config is refused."""
import os.path as osp

import pytest
from mmengine.config import Config

from slp_mm.utils.config_data import (config_from_json, config_from_text,
                                      config_to_json)

from ..conftest import REPO


@pytest.mark.parametrize('config', [
    'pretrain/demo.py', 'islr/wlasl100.py', 'cslr/phoenix2014.py',
    'slt/phoenix2014t.py', 'retrieval/phoenix2014t.py'
])
def test_configs_round_trip_as_data(config):
    """One config per task (the whole set was checked once: all equal)."""
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    data = cfg.to_dict()
    assert config_from_json(config_to_json(cfg), config).to_dict() == data
    assert config_from_text(cfg.pretty_text, config).to_dict() == data


def test_tuples_and_non_name_keys_come_back():
    cfg = Config(dict(model=dict(branches=('manual', 'non_manual')),
                      keys={'encoder.': dict(lr_mult=0.1)}))
    back = config_from_text(cfg.pretty_text, 'x')
    assert back.model.branches == ('manual', 'non_manual')
    assert back.to_dict() == cfg.to_dict()
    assert config_from_json(config_to_json(cfg), 'x').model.branches == (
        'manual', 'non_manual')


@pytest.mark.parametrize('text, line', [
    ("import os\nmodel = dict()\n", 1),
    ("model = dict(a=__import__('os').getcwd())\n", 1),
    ("model = dict()\nmodel['x'] = 1\n", 2),
    ("a = 1\nb = open('f')\n", 2),
    ("x = (lambda: 1)()\n", 1),
])
def test_code_is_refused_naming_file_and_line(text, line):
    with pytest.raises(ValueError, match=rf'^cfg\.py: line {line}: '):
        config_from_text(text, 'cfg.py')


def test_bad_json_names_the_file():
    with pytest.raises(ValueError, match='m.safetensors: the config is not'):
        config_from_json('{', 'm.safetensors')
    with pytest.raises(ValueError, match='a list, expected a JSON object'):
        config_from_json('[1]', 'm.safetensors')
