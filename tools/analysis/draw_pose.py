"""Draw a sample of a sign corpus, or a .pose file, to a PNG frame grid
and / or a GIF or MP4 animation (over the sample's video with --video).

    python tools/analysis/draw_pose.py data/demo_synthetic/corpus --index 3
    python tools/analysis/draw_pose.py clip.pose --out clip.png --width 1600
    python tools/analysis/draw_pose.py clip.pose --gif clip.gif
    python tools/analysis/draw_pose.py clip.pose --mp4 out.mp4 --video clip.mp4

Animations are streamed to the file frame by frame; a clip longer than
--max-frames is subsampled evenly (at a lower frame rate, so it plays as
long as the clip).
"""
import argparse
import os.path as osp

from slp_mm.utils.cli_errors import (HelpFormatter, add_debug_argument,
                                     run_cli)

GRID_WIDTH = 1280  # pixels: a grid that reads on a screen, whatever the video


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=HelpFormatter)
    p.add_argument('source', help='corpus directory or .pose file')
    p.add_argument('--index',
                   type=int,
                   default=0,
                   help='corpus row (default: 0)')
    p.add_argument('--frames',
                   type=int,
                   default=8,
                   help='frames in the PNG grid (default: 8)')
    p.add_argument('--width',
                   type=int,
                   help='width in pixels of the PNG grid and of the animation '
                   "(default: 1280 for the grid; the video's, else the pose's "
                   'frame width, for the animation)')
    p.add_argument('--out',
                   help='PNG frame grid (default: pose.png when '
                   'no animation is asked for)')
    p.add_argument('--gif', help='write the animation to this GIF')
    p.add_argument('--mp4', help='write the animation to this MP4')
    p.add_argument('--video',
                   help='draw the animation over this video '
                   '(frame i under pose frame i)')
    p.add_argument('--fps',
                   type=float,
                   help='animation frame rate (default: the sample\'s, '
                   'else 25)')
    p.add_argument('--max-frames',
                   type=int,
                   default=1000,
                   help='animate at most this many frames, subsampling '
                   'longer clips evenly (default: 1000; 0: all)')
    add_debug_argument(p)
    args = p.parse_args(argv)
    args.animations = [a for a in (args.gif, args.mp4) if a]
    if args.video and not args.animations:
        p.error('--video needs --gif or --mp4')
    for flag, path in (('--gif', args.gif), ('--mp4', args.mp4)):
        if path and not path.lower().endswith('.' + flag[2:]):
            p.error(f'{flag} {path}: expected a .{flag[2:]} file name')
    if args.max_frames < 0 or (args.width is not None and args.width <= 0):
        p.error('--max-frames must be >= 0 and --width > 0')
    return args


def main(argv=None):
    args = parse_args(argv)
    from slp_mm.visualization import (check_pose_to_draw, draw_pose_grid,
                                      pose_in_pixels, render_pose_animation,
                                      save_animation, save_image,
                                      subsample_step)
    if osp.isdir(args.source):
        from slp_mm.corpus import SignCorpus
        corpus = SignCorpus(args.source)
        sample, layout = corpus[args.index], corpus.layout
        source = f'{args.source}, row {args.index}'
        print(f"{sample['id']}: {sample['text']!r} ({sample['language']})")
    else:
        from slp_mm.preparation.pose_readers import read_pose_file
        sample, layout = read_pose_file(args.source), 'coco_wholebody_133'
        source = args.source
    kpts, size = pose_in_pixels(sample['keypoints'],
                                (sample['width'], sample['height']))
    scores = sample['scores']
    check_pose_to_draw(kpts, scores, size, source)
    out = args.out or (None if args.animations else 'pose.png')
    if out:
        img = draw_pose_grid(kpts,
                             scores,
                             layout,
                             size,
                             args.frames,
                             width=args.width or GRID_WIDTH)
        save_image(img, out)
        print(f'wrote {out} ({img.shape[1]}x{img.shape[0]})')
    step = subsample_step(len(kpts), args.max_frames)
    fps = (args.fps or sample.get('fps') or 25.0) / step
    if step > 1 and args.animations:
        print(f'{source}: {len(kpts)} frames, more than --max-frames '
              f'{args.max_frames}: animating 1 frame in {step}, at '
              f'{fps:.3g} fps')
    for path in args.animations:
        frames = render_pose_animation(kpts,
                                       scores,
                                       layout,
                                       size,
                                       video=args.video,
                                       width=args.width,
                                       step=step)
        count = save_animation(frames, path, fps)
        print(f'wrote {path} ({count} frames)')


if __name__ == '__main__':
    run_cli(main)
