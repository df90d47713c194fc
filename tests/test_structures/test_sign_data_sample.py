"""SignDataSample's typed predictions: converted on assignment, found in one
place (never in the metainfo), and flattened by ``to_dict`` as mmengine's
evaluator hands them to the metrics."""
import pytest
import torch

from slp_mm.evaluation import TranslationMetric, WERMetric
from slp_mm.structures import SignDataSample


def test_predictions_are_typed_fields():
    s = SignDataSample(metainfo=dict(sample_id='v1', text='es regnet .'))
    s.pred_score = [0.25, 0.75]
    s.pred_label = 1
    s.pred_gloss = ('REGEN', 'NORD')
    s.pred_gloss_ids = [4, 7]
    s.pred_text = 'es regnet'
    s.word_temperature = torch.tensor(0.5)
    assert s.pred_score.dtype == torch.float32
    assert s.pred_score.tolist() == [0.25, 0.75]
    assert s.pred_label.dtype == torch.long and s.pred_label.tolist() == [1]
    assert s.pred_gloss == ['REGEN', 'NORD']
    assert s.pred_gloss_ids.tolist() == [4, 7]
    assert s.word_temperature == 0.5 and type(s.word_temperature) is float
    assert 'pred_text' in s and 'pred_text' not in s.metainfo
    flat = s.to_dict()
    assert flat['pred_text'] == 'es regnet' and flat['sample_id'] == 'v1'
    assert not any(k.startswith('_') for k in flat)
    del s.pred_text
    assert 'pred_text' not in s and s.get('pred_text') is None


def test_embeddings_keep_their_precision():
    s = SignDataSample()
    s.clip_embeds = torch.ones(3, 4, dtype=torch.float16)
    s.clip_mask = [1, 1, 0]
    assert s.clip_embeds.dtype == torch.float16
    assert s.clip_mask.tolist() == [True, True, False]


def test_wrong_types_and_metainfo_predictions_are_refused():
    s = SignDataSample()
    with pytest.raises(TypeError, match='pred_gloss must be a list of gloss'):
        s.pred_gloss = 'REGEN NORD'  # would be scored letter by letter
    with pytest.raises(TypeError, match='pred_text must be a str'):
        s.pred_text = ['es', 'regnet']
    with pytest.raises(KeyError, match=r"\['pred_text'\] are typed data"):
        SignDataSample(metainfo=dict(sample_id='v1', pred_text='es regnet'))
    with pytest.raises(KeyError, match='pred_gloss'):
        s.set_metainfo(dict(pred_gloss=['A']))


def test_metrics_read_the_fields_of_samples_and_their_dicts():
    s = SignDataSample(metainfo=dict(sample_id='a', gloss=['A', 'B'],
                                     text='a b'))
    s.pred_gloss = ['A', 'C']
    s.pred_text = 'a b'
    for sample in (s, s.to_dict()):
        wer = WERMetric()
        wer.process(None, [sample])
        assert wer.compute_metrics(wer.results)['wer'] == 50.0
        bleu = TranslationMetric(language='en')
        bleu.process(None, [sample])
        assert bleu.results[0]['hyp'] == 'a b'


def test_own_metainfo_is_set_as_is_and_refuses_fields():
    gloss = ['APPLE']
    sample = SignDataSample()
    sample.set_own_metainfo(dict(sample_id='a', gloss=gloss, width=640.0))
    assert sample.metainfo == dict(sample_id='a', gloss=gloss, width=640.0)
    assert sample.gloss is gloss  # not copied: the sample owns it
    assert sample.clone().metainfo == sample.metainfo
    sample.text_ids = [5, 2]
    for bad in ('text_ids', 'pred_label', 'keys'):
        with pytest.raises(KeyError, match=bad):
            sample.set_own_metainfo({bad: 1})
    assert sample.keys() == ['text_ids']
