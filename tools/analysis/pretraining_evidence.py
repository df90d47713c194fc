"""Evidence on real signing that the pre-training works: pre-train every
variant (scratch, MPM, MPM + STC, STC, Sigma) on the training block of the
traduttore ASL words, score ISLR fine-tuning (k = 1, 3, all clips per word),
a linear probe and zero-shot recognition on the test block over 5 seeds, and
print the Markdown table (also written to --out). Resumes: finished cells
are cached under WORK_DIR/cells.

    python tools/analysis/pretraining_evidence.py --work-dir work_dirs/evidence
"""
import argparse
import os
import os.path as osp
import time


def main(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
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
                                                  markdown_table, run_evidence)
    from slp_mm.engine import install_checkpoint_safety
    if not osp.isdir(args.data):
        raise SystemExit(f'{args.data} does not exist (see its SOURCE.md)')
    settings = (EvidenceSettings.reduced() if args.reduced else
                EvidenceSettings(seeds=args.seeds, shots=tuple(args.shots)))
    configs = EvidenceConfigs(pretrain=args.pretrain_config)
    install_checkpoint_safety()
    start = time.time()
    variants = args.variants or VARIANTS
    if not args.table_only:
        run_evidence(args.data, args.work_dir, settings, configs, variants)
    results = collect_results(args.work_dir, settings, variants)
    table = markdown_table(results, settings)
    minutes = (time.time() - start) / 60
    text = (f'{table}\n\nTop-1 (%) on the test block, mean ± std over '
            f'{settings.seeds} seed(s); this run took {minutes:.1f} min.\n')
    print(text)
    out = args.out or osp.join(args.work_dir, 'results.md')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with open(out, 'w', encoding='utf-8') as f:
        f.write(text)


if __name__ == '__main__':
    main()
