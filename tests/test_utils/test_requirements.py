"""Every library the package imports is installed by the README's install
command (``pip install -e .``): declared in requirements/runtime.txt or
required by a declared one, unless it is an optional pose estimator."""
import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# pose estimation back ends, installed by hand (docs/get_started.md) and
# imported only when chosen; onnxruntime: the deploy extra
# (requirements/deploy.txt), imported only by the ONNX parity check
OPTIONAL_MODULES = {'mediapipe', 'mmdet', 'mmpose', 'rtmlib', 'torchvision',
                    'onnxruntime'}


def _name(requirement: str) -> str:
    return re.split(r'[<>=!~;\[ ]', requirement.strip(), 1)[0].lower().replace(
        '_', '-')


def _installed_closure(names):
    """The distributions ``names`` install, their requirements included."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [_name(r) for r in requires if 'extra ==' not in r]
    return seen


def _imported_modules():
    modules = set()
    for path in (REPO / 'slp_mm').rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {a.name.split('.')[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules.add(node.module.split('.')[0])
    return modules - set(sys.stdlib_module_names) - {'slp_mm'}


def test_every_imported_library_is_installed_by_the_readme_install():
    lines = (REPO / 'requirements' / 'runtime.txt').read_text().splitlines()
    declared = {_name(line.split('#')[0]) for line in lines
                if line.split('#')[0].strip()}
    installed = _installed_closure(declared)
    distributions = metadata.packages_distributions()
    missing = {
        module: distributions.get(module)
        for module in _imported_modules() - OPTIONAL_MODULES
        if not any(_name(d) in installed
                   for d in distributions.get(module, [module]))
    }
    assert not missing, ('imported by slp_mm but not installed by '
                         f'requirements/runtime.txt: {missing}')
