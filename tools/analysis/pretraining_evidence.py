"""Evidence on real signing that the pre-training works: pre-train every
variant (scratch, MPM, MPM + STC, STC, Sigma) on the training block of the
traduttore ASL words, score ISLR fine-tuning (k = 1, 3, all clips per word),
a linear probe and zero-shot recognition on the test block over 5 seeds, and
print the Markdown table (also written to --out). Resumes: finished cells
are cached under WORK_DIR/protocol-<hash of the settings>/cells.

    PYTHONPATH=. python tools/analysis/pretraining_evidence.py \
        --work-dir work_dirs/evidence --jobs 2
"""
import argparse
import os
import os.path as osp
import time

from slp_mm.utils.cli_errors import HelpFormatter


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('--data',
                   default='../shared/data/traduttore-asl-words',
                   help='folder of traduttore_asl_words_shared.npz/csv')
    p.add_argument('--work-dir',
                   default='work_dirs/evidence',
                   help='where the runs and the cached cells go')
    p.add_argument('--out',
                   help='also write the table to this file '
                   '(default: WORK_DIR/results.md)')
    p.add_argument('--seeds', type=int, default=5, help='seeds per cell')
    p.add_argument('--shots',
                   type=int,
                   nargs='+',
                   default=[1, 3, 0],
                   help='labelled clips per word to fine-tune on (0 = all)')
    p.add_argument('--variants',
                   nargs='+',
                   help='pre-training variants to run (default: all of '
                   'scratch mpm mpm_stc stc sigma)')
    p.add_argument('--pretrain-config',
                   default='configs/pretrain/traduttore_asl_words_evidence.py',
                   help='the MPM + STC config the variants derive from')
    p.add_argument('--holdout',
                   action='store_true',
                   help='score on the hold-out of the training block '
                   '(clips 10-14 of every word; train on clips 0-9), to '
                   'choose settings without the test block')
    p.add_argument('--jobs',
                   type=int,
                   default=1,
                   help='parallel single-threaded processes (one per core)')
    p.add_argument('--table-only',
                   action='store_true',
                   help='print the table of the finished cells, run nothing')
    p.add_argument('--reduced',
                   action='store_true',
                   help='smoke-test size: one seed, a few iterations')
    args = p.parse_args(argv)
    # heavy (torch, the models): imported after --help is answered
    from slp_mm.apis.pretraining_evidence import (VARIANTS, EvidenceConfigs,
                                                  EvidenceSettings,
                                                  collect_results,
                                                  evidence_data,
                                                  markdown_table,
                                                  protocol_dir, run_evidence)
    from slp_mm.engine import install_checkpoint_safety, register_all_modules
    if not osp.isdir(args.data):
        raise SystemExit(f'{args.data} does not exist (see its SOURCE.md)')
    settings = (EvidenceSettings.reduced(holdout=args.holdout)
                if args.reduced else EvidenceSettings(
                    seeds=args.seeds,
                    shots=tuple(args.shots),
                    holdout=args.holdout))
    configs = EvidenceConfigs(pretrain=args.pretrain_config)
    install_checkpoint_safety()
    register_all_modules()
    start = time.time()
    variants = args.variants or VARIANTS
    data = evidence_data(args.data, args.work_dir, settings, configs)
    run_dir = protocol_dir(args.work_dir, settings, configs, data)
    print(f'cells: {run_dir}/cells')
    if not args.table_only:
        run_evidence(run_dir, data, settings, configs, variants, args.jobs)
    results = collect_results(run_dir, settings, variants)
    table = markdown_table(results, settings)
    minutes = (time.time() - start) / 60
    scored = ('the hold-out of the training block' if args.holdout else
              'the test block')
    text = (f'{table}\n\nTop-1 (%) on {scored}, mean ± std over '
            f'{settings.seeds} seed(s); this run took {minutes:.1f} min.\n')
    print(text)
    out = args.out or osp.join(args.work_dir, 'results.md')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(text)


if __name__ == '__main__':
    main()
