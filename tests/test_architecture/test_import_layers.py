"""The layers of ``slp_mm`` (issue 14): each subpackage imports only from the
layers below it, and no modules import each other in a circle. ``projects/``
(plugins) is the top layer: a project may import any layer of ``slp_mm``,
``slp_mm`` never imports a project, and no circle runs through projects.

The import graph is read with ``ast`` (nothing is imported), relative
imports resolved, and imports inside functions counted too: a lazy import
hides a dependency from the interpreter, not from the design.

Layer table, bottom to top, found from the imports of the package when the
corpus and preparation layers were split out of ``datasets/``:

- ground: ``registry.py``, ``version.py``, ``structures/`` (layouts, data
  samples, gloss vocabulary, text tokenizer), ``utils/`` (file hashes,
  checkpoint loading, config checks), ``functional/`` (tensor math two
  layers share: the fine-grained similarity); they import only each other;
- ``corpus/``: the on-disk format, its writer, the builder, statistics,
  language weights, the synthetic corpus;
- ``preparation/``: converters, pose readers, pose extraction (offline:
  imports corpus; what training runs never imports it);
- ``datasets/``: datasets, transforms, samplers (imports corpus);
- ``models/``; ``evaluation/`` (scores predictions: never imports models);
  ``engine/``; ``visualization/`` (draws samples through the dataset
  transforms); ``apis/`` (runs a model on pose files or videos, so it may
  read and extract poses).

Known violations are listed with their issue and may only shrink: the test
fails on a new one and on a listed one that no longer exists.
"""
import ast
import os.path as osp
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ('slp_mm', 'projects')

# Bottom to top; a module may import its own layer and the ones before it.
LAYERS = (
    ('ground', ('slp_mm', 'slp_mm.registry', 'slp_mm.version',
                'slp_mm.structures', 'slp_mm.utils', 'slp_mm.functional')),
    ('corpus', ('slp_mm.corpus', )),
    ('preparation', ('slp_mm.preparation', )),
    ('datasets', ('slp_mm.datasets', )),
    ('models', ('slp_mm.models', )),
    ('evaluation', ('slp_mm.evaluation', )),
    ('engine', ('slp_mm.engine', )),
    ('visualization', ('slp_mm.visualization', )),
    ('apis', ('slp_mm.apis', )),
    ('projects', ('projects', )),
)
# Lower layers that some higher layers still must not import:
# lower layer -> the layers that must not import it.
NOT_IMPORTED_BY = {
    # offline only: what a training run imports never needs it (apis does,
    # to read and extract poses for inference)
    'preparation': ('datasets', 'models', 'evaluation', 'engine',
                    'visualization'),
    # metrics score predictions, not models: math both need lives below both
    'models': ('evaluation', ),
}

# (importer, imported) module pairs, each with the issue that removes it.
KNOWN_VIOLATIONS: Set[Tuple[str, str]] = set()
# Strongly connected sets of modules, each with the issue that removes it.
KNOWN_CIRCLES: Set[frozenset] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split('.'))
    return osp.isdir(path) or osp.isfile(f'{path}.py')


def imported_modules(path: Path) -> Iterator[str]:
    """The modules a file imports, relative imports resolved; ``from
    package import name`` names the submodule when ``name`` is one."""
    name = module_name(path)
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split('.')
                base = parts[:len(parts) - node.level + 1]
                module = [node.module] if node.module else []
                source = '.'.join(base + module)
            else:
                source = node.module
            for alias in node.names:
                submodule = f'{source}.{alias.name}'
                yield submodule if is_module(submodule) else source


def import_graph() -> Dict[str, Set[str]]:
    """slp_mm and projects module -> the slp_mm and projects modules it
    imports."""
    graph = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob('*.py')):
            graph[module_name(path)] = {
                m for m in imported_modules(path)
                if m.partition('.')[0] in PACKAGES
            }
    return graph


def layer_of(module: str) -> Tuple[int, str]:
    """(rank, name) of the layer whose longest prefix names the module."""
    best = None
    for rank, (layer, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + '.'):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), rank, layer)
    assert best is not None, f'{module} is in no layer of LAYERS'
    return best[1:]


def layer_violations(graph) -> Set[Tuple[str, str]]:
    found = set()
    for module, imports in graph.items():
        rank, layer = layer_of(module)
        for target in imports:
            target_rank, target_layer = layer_of(target)
            if (target_rank > rank or layer in NOT_IMPORTED_BY.get(
                    target_layer, ())):
                found.add((module, target))
    return found


def import_circles(graph) -> Set[frozenset]:
    """Strongly connected sets of two or more modules (Tarjan)."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), set()

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            members = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.add(member)
                if member == node:
                    break
            if len(members) > 1:
                circles.add(frozenset(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_graph_resolves_relative_and_package_imports():
    graph = import_graph()
    # relative `from .pose_sample_check import ...` inside corpus/
    assert 'slp_mm.corpus.pose_sample_check' in graph[
        'slp_mm.corpus.sign_corpus']
    # `from .. import x` in a package resolves to the sibling module
    assert 'slp_mm.datasets.transforms.tokenize_text' in graph[
        'slp_mm.datasets.transforms']
    # an import inside a function counts
    assert 'slp_mm.models' in graph['slp_mm.engine.setup_env']
    # projects are read too, with their imports of slp_mm
    assert any(m.startswith('slp_mm.') for m in graph[
        'projects.sigma.models.sigma_pretrainer'])


def test_violation_and_circle_detection_on_a_made_up_graph():
    graph = {
        'slp_mm.corpus.a': {'slp_mm.datasets.b'},  # corpus reaches up
        'slp_mm.models.c': {'slp_mm.preparation.d'},  # runtime -> offline
        'slp_mm.evaluation.g': {'slp_mm.models.c', 'slp_mm.datasets.b'},
        'slp_mm.apis.e': {'slp_mm.preparation.d', 'slp_mm.apis.f'},
        'slp_mm.apis.f': {'slp_mm.apis.e'},
        'slp_mm.datasets.b': {'slp_mm.corpus'},
        # a project may import any layer, slp_mm never a project
        'projects.p.h': {'slp_mm.preparation.d', 'slp_mm.apis.e',
                         'projects.q.i'},
        'projects.q.i': {'projects.p.h'},
        'slp_mm.models.j': {'projects.p.h'},
    }
    assert layer_violations(graph) == {
        ('slp_mm.corpus.a', 'slp_mm.datasets.b'),
        ('slp_mm.models.c', 'slp_mm.preparation.d'),
        ('slp_mm.evaluation.g', 'slp_mm.models.c'),
        ('slp_mm.models.j', 'projects.p.h'),
    }
    assert import_circles(graph) == {
        frozenset({'slp_mm.apis.e', 'slp_mm.apis.f'}),
        frozenset({'projects.p.h', 'projects.q.i'}),
    }


def test_no_import_reaches_a_higher_layer():
    found = layer_violations(import_graph())
    new = sorted(found - KNOWN_VIOLATIONS)
    assert not new, ('imports that LAYERS or NOT_IMPORTED_BY forbid: '
                     f'{new}')
    gone = sorted(KNOWN_VIOLATIONS - found)
    assert not gone, f'fixed, remove from KNOWN_VIOLATIONS: {gone}'


def test_no_import_circle():
    found = import_circles(import_graph())
    new = [sorted(c) for c in found - KNOWN_CIRCLES]
    assert not new, f'modules that import each other in a circle: {new}'
    gone = [sorted(c) for c in KNOWN_CIRCLES - found]
    assert not gone, f'fixed, remove from KNOWN_CIRCLES: {gone}'
