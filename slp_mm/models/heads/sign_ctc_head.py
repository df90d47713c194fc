from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from slp_mm.registry import MODELS
from slp_mm.structures import GlossVocabulary, SignDataSample
from ..utils.ctc_decoder import ctc_greedy_decode, ctc_prefix_beam_search


def ctc_min_frames(target: List[int]) -> int:
    """Frames CTC needs for a target: one per gloss plus a blank between
    each pair of equal neighbours."""
    return len(target) + sum(a == b for a, b in zip(target, target[1:]))


@MODELS.register_module()
class SignCTCHead(BaseModule):
    """Continuous sign recognition head: TCN + BiLSTM + CTC (the
    "Encoder-TCN-BiLSTM" pipeline of VAC / CorrNet / CoSign).

    The TCN (conv k5 - pool 2 - conv k5 - pool 2) shortens the sequence 4x
    to gloss-rate features, the BiLSTM adds context and a linear layer
    gives per-step gloss log-probabilities (index 0 = blank). A sample whose
    gloss sequence cannot fit in its output steps would give an infinite
    CTC loss: it is left out of the loss and counted in ``ctc_skipped``.

    Args:
        gloss_vocab (str): Gloss vocabulary JSON
            (``tools/data/build_gloss_vocab.py``).
        in_channels (int): Encoder feature width.
        hidden_channels (int): TCN width; the BiLSTM has half per direction.
        num_lstm_layers (int): BiLSTM layers.
        decoder (str): ``'beam'`` (prefix beam search) or ``'greedy'``.
        beam_size (int): Beam width.
        vocab_file: The former name of ``gloss_vocab``, refused with a
            message naming the new one.
    """

    def __init__(self,
                 gloss_vocab: Optional[str] = None,
                 in_channels: int = 1024,
                 hidden_channels: int = 1024,
                 num_lstm_layers: int = 2,
                 decoder: str = 'beam',
                 beam_size: int = 10,
                 init_cfg=None,
                 vocab_file: Optional[str] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if vocab_file is not None:
            raise TypeError('SignCTCHead: vocab_file was renamed gloss_vocab '
                            '(the gloss vocabulary has one name in configs)')
        if gloss_vocab is None:
            raise ValueError('SignCTCHead needs gloss_vocab, the path of the '
                             "corpus' gloss vocabulary JSON")
        if decoder not in ('beam', 'greedy'):
            raise ValueError(f"decoder must be 'beam' or 'greedy', got "
                             f'{decoder!r}')
        self.vocab = GlossVocabulary.load(gloss_vocab)
        self.decoder = decoder
        self.beam_size = beam_size

        def block(c_in):
            return [
                nn.Conv1d(c_in, hidden_channels, 5, padding=2),
                nn.BatchNorm1d(hidden_channels),
                nn.ReLU(inplace=True),
                nn.MaxPool1d(2)
            ]

        self.tcn = nn.Sequential(*block(in_channels), *block(hidden_channels))
        self.lstm = nn.LSTM(
            hidden_channels,
            hidden_channels // 2,
            num_layers=num_lstm_layers,
            batch_first=True,
            bidirectional=True)
        self.classifier = nn.Linear(hidden_channels, len(self.vocab))

    def forward(self, feats: torch.Tensor, pose_mask: torch.Tensor):
        """(B, T, C), (B, T) -> log-probs (B, T // 4, V), lengths (B,)."""
        lengths = pose_mask.sum(1) // 4
        x = self.tcn(feats.transpose(1, 2)).transpose(1, 2)  # (B, T', H)
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths.clamp(min=1).cpu(), batch_first=True,
            enforce_sorted=False)
        x, _ = self.lstm(packed)
        x, _ = nn.utils.rnn.pad_packed_sequence(x, batch_first=True)
        return self.classifier(x).log_softmax(-1), lengths

    def loss(self, feats, pose_mask,
             data_samples: List[SignDataSample]) -> Dict[str, torch.Tensor]:
        log_probs, lengths = self(feats, pose_mask)
        targets = [s.gloss_ids.tolist() for s in data_samples]
        ok = [ctc_min_frames(t) <= int(n) and len(t) > 0
              for t, n in zip(targets, lengths)]
        keep = [i for i, good in enumerate(ok) if good]
        skipped = torch.tensor(float(len(ok) - len(keep)))
        if not keep:
            zero = sum(p.sum() for p in self.parameters()) * 0.0
            return dict(loss_ctc=zero, ctc_skipped=skipped)
        flat = torch.tensor([g for i in keep for g in targets[i]],
                            device=log_probs.device)
        target_lengths = torch.tensor([len(targets[i]) for i in keep],
                                      device=log_probs.device)
        loss = F.ctc_loss(
            log_probs[keep].transpose(0, 1).float(),  # (T', B, V)
            flat,
            lengths[keep],
            target_lengths,
            blank=self.vocab.blank_id,
            reduction='mean')
        return dict(loss_ctc=loss, ctc_skipped=skipped)

    def predict(self, feats, pose_mask,
                data_samples: List[SignDataSample]) -> List[SignDataSample]:
        log_probs, lengths = self(feats, pose_mask)
        for s, lp, n in zip(data_samples, log_probs.detach(), lengths):
            if self.decoder == 'greedy':
                ids = ctc_greedy_decode(lp, int(n))
            else:
                ids = ctc_prefix_beam_search(lp, int(n), self.beam_size)[0][0]
            s.pred_gloss_ids = ids
            s.pred_gloss = self.vocab.decode(ids)
        return data_samples
