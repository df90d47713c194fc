"""The packages benchmarks/gpu_check.py needs beyond a GPU image's own, as
wheels carried to a machine that reaches no package index.

The GPU machines this project borrows have torch, numpy 2.x, transformers and
tokenizers, and no package index. Here, where pip reaches one:

    python benchmarks/gpu_wheels.py download   # -> .gpu_wheels/ (git-ignored)

There (benchmarks/gpu_check.sh does it):

    python3 benchmarks/gpu_wheels.py install --target /tmp/slp_mm_gpu_site

``install`` takes only the bundle's packages that do not import there and
installs their wheels with ``pip install --no-index --no-deps`` into
``--target`` (put it first on PYTHONPATH): the image's torch, numpy and
transformers are never replaced, and a package the image has is not
shadowed by another version.

The bundle is what ``import slp_mm``, the sl15m pipeline and model, the
CUDA-only tests and the check import, less torch / numpy / transformers /
tokenizers and what those bring (pyyaml, regex, safetensors, ...):
mmengine, mmcv-lite and mmaction2 (pure Python) and their pure-Python
imports, pytest, psutil (abi3), and two built for one CPython
(``--python-version``, default 3.12, the image's): pillow (mmcv imports it)
and pyarrow (the corpus format, 40 MiB).

Not opencv: ``cv2`` is imported by ``mmengine.hooks`` and by ``mmcv``'s
``__init__`` (image, video and drawing helpers), but nothing on the check's
path calls it, and opencv-python-headless is 48 MiB, which with pyarrow is
over the 64 MiB a device call carries. Where ``cv2`` does not import,
``install`` puts ``benchmarks/import_stubs/cv2.py`` into ``--target``: the
imports work and any call raises.
"""
import argparse
import glob
import importlib.util
import os
import os.path as osp
import shutil
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CV2_STUB = osp.join(REPO, 'benchmarks', 'import_stubs', 'cv2.py')
# (module, distribution); pins come from requirements/*.txt
BUNDLE = (
    ('mmengine', 'mmengine'),
    ('mmcv', 'mmcv-lite'),
    ('mmaction', 'mmaction2'),
    ('addict', 'addict'),
    ('yapf', 'yapf'),
    ('platformdirs', 'platformdirs'),
    ('termcolor', 'termcolor'),
    ('rich', 'rich'),
    ('markdown_it', 'markdown-it-py'),
    ('mdurl', 'mdurl'),
    ('pygments', 'pygments'),
    ('einops', 'einops'),
    ('PIL', 'pillow'),
    ('psutil', 'psutil'),
    ('pyarrow', 'pyarrow'),
    ('pytest', 'pytest'),
    ('pluggy', 'pluggy'),
    ('iniconfig', 'iniconfig'),
)
# the image's own: a wheel of these in the folder is refused
NEVER = ('torch', 'numpy', 'transformers', 'tokenizers')
# linux x86-64 tags pip must be told when downloading for another machine
PLATFORMS = ('manylinux_2_28_x86_64', 'manylinux_2_27_x86_64',
             'manylinux_2_17_x86_64', 'manylinux2014_x86_64',
             'manylinux1_x86_64')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='command', required=True)
    down = sub.add_parser('download', help='download the bundle (here)')
    down.add_argument('--dest', default=osp.join(REPO, '.gpu_wheels'))
    down.add_argument('--python-version', default='3.12',
                      help="the GPU image's Python (pyarrow is built per "
                      'version)')
    down.add_argument('--max-mib', type=float, default=60,
                      help='refuse a bundle larger than this (a device call '
                      'carries 64 MiB with the working tree)')
    inst = sub.add_parser('install', help='install what is missing (there)')
    inst.add_argument('--wheels', default=osp.join(REPO, '.gpu_wheels'))
    inst.add_argument('--target', required=True,
                      help='folder to install into; put it on PYTHONPATH')
    return p.parse_args(argv)


def canonical(name: str) -> str:
    """Distribution name as in a wheel's file name, normalised (PEP 503)."""
    return name.lower().replace('_', '-').replace('.', '-')


def pinned_requirements() -> dict:
    """Distribution -> requirement line of requirements/{runtime,tests}.txt."""
    pins = {}
    for name in ('runtime.txt', 'tests.txt'):
        with open(osp.join(REPO, 'requirements', name)) as f:
            for line in f:
                line = line.split('#')[0].strip()
                if line:
                    dist = line.split(';')[0]
                    for sep in '=<>!~[ ':
                        dist = dist.split(sep)[0]
                    pins[canonical(dist)] = line
    return pins


def bundle_requirements() -> list:
    pins = pinned_requirements()
    return [pins.get(canonical(dist), dist) for _, dist in BUNDLE]


def wheel_distribution(path: str) -> str:
    """``mmcv_lite-2.0.1-py2.py3-none-any.whl`` -> ``mmcv-lite``."""
    return canonical(osp.basename(path).split('-')[0])


def download(dest: str, python_version: str, max_mib: float) -> None:
    os.makedirs(dest, exist_ok=True)
    for old in glob.glob(osp.join(dest, '*.whl')):
        os.remove(old)  # one version of each: two stop the install
    cmd = [sys.executable, '-m', 'pip', 'download', '--no-deps',
           '--only-binary=:all:', '--implementation', 'cp',
           '--python-version', python_version, '--dest', dest]
    for platform in PLATFORMS:
        cmd += ['--platform', platform]
    subprocess.run(cmd + bundle_requirements(), check=True)
    wheels = sorted(glob.glob(osp.join(dest, '*.whl')))
    total = sum(osp.getsize(w) for w in wheels) / 2**20
    for w in wheels:
        print(f'{osp.getsize(w) / 2**20:8.2f} MiB  {osp.basename(w)}')
    print(f'{total:8.2f} MiB  in {len(wheels)} wheels, {dest}')
    if total > max_mib:
        sys.exit(f'{dest}: {total:.1f} MiB of wheels, over --max-mib '
                 f'{max_mib:g}')


def wheels_to_install(wheels: list, importable) -> list:
    """The wheels (paths) of the bundle's packages whose module
    ``importable(module)`` says is missing; refuses wheels of the image's
    own packages and names a missing package that has no wheel."""
    by_dist = {wheel_distribution(w): w for w in wheels}
    own = sorted(set(by_dist) & set(NEVER))
    if own:
        raise SystemExit(f'refusing to install {own} from the wheel folder: '
                         "the image's own versions must be used")
    missing = [(m, canonical(d)) for m, d in BUNDLE if not importable(m)]
    absent = [d for _, d in missing if d not in by_dist]
    if absent:
        raise SystemExit(
            f'{absent} not importable here and no wheel of them in the '
            'folder: run `python benchmarks/gpu_wheels.py download` where '
            'pip reaches an index')
    return [by_dist[d] for _, d in missing]


def importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def install(folder: str, target: str) -> None:
    todo = wheels_to_install(glob.glob(osp.join(folder, '*.whl')),
                             importable)
    os.makedirs(target, exist_ok=True)
    if todo:
        subprocess.run([
            sys.executable, '-m', 'pip', 'install', '--quiet', '--no-index',
            '--no-deps', '--no-compile', '--no-cache-dir', '--upgrade',
            '--target', target, *todo
        ], check=True)
    print('installed into', target + ':',
          ', '.join(wheel_distribution(w) for w in todo) or 'nothing')
    if not importable('cv2'):
        shutil.copy(CV2_STUB, target)
        print(f'cv2 does not import: {CV2_STUB} copied into {target}')


def main(argv=None):
    args = parse_args(argv)
    if args.command == 'download':
        download(args.dest, args.python_version, args.max_mib)
    else:
        install(args.wheels, args.target)


if __name__ == '__main__':
    main()
