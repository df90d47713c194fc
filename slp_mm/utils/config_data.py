"""Configs as data: read and write a config without running code.

mmengine parses a ``.py`` config by executing it, so a config that travels
with a model (a published file, a checkpoint's ``meta['cfg']``, a Hub
folder) would run whatever was appended to it. Published models store the
config as JSON (:func:`config_to_json`, tuples kept); a config text that
only exists as mmengine's ``pretty_text`` (training checkpoints, files
published before the JSON form) is read by :func:`config_from_text`, a
literal-only reader of that text: assignments of constants, lists, tuples,
dicts and ``dict(...)`` calls, nothing else (``ast.literal_eval`` alone
refuses the ``dict(...)`` calls pretty_text is made of).
"""
import ast
import json

from mmengine.config import Config

TUPLE_TAG = '__tuple__'


def config_to_json(cfg: Config) -> str:
    """The config's data as JSON; tuples are tagged so they come back as
    tuples (a GCN's ``gcn_channels``, an encoder's ``branches``)."""
    return json.dumps(_tag_tuples(cfg.to_dict()), sort_keys=True)


def config_from_json(text: str, where: str) -> Config:
    """The :class:`Config` of :func:`config_to_json` text; ``where`` names
    the file in the error."""
    try:
        data = json.loads(
            text, object_hook=lambda d: tuple(d[TUPLE_TAG])
            if set(d) == {TUPLE_TAG} else d)
    except json.JSONDecodeError as e:
        raise ValueError(f'{where}: the config is not valid JSON ({e})')
    if not isinstance(data, dict):
        raise ValueError(f'{where}: the config is a {type(data).__name__}, '
                         'expected a JSON object')
    return Config(data)


def config_from_text(text: str, where: str) -> Config:
    """The config of a ``pretty_text``-style Python text, read as data: any
    statement other than ``name = <literal>`` is refused, naming ``where``
    and the line, and nothing is executed."""
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        raise ValueError(f'{where}: line {e.lineno}: not a config ({e.msg})')
    data = {}
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            raise ValueError(
                f'{where}: line {stmt.lineno}: only "name = value" '
                'assignments of literals are read from a config that '
                'travels with a model (no code runs)')
        data[stmt.targets[0].id] = _literal(stmt.value, where)
    return Config(data)


def _literal(node: ast.AST, where: str):
    if isinstance(node, ast.Dict):
        return {_literal(k, where): _literal(v, where)
                for k, v in zip(node.keys, node.values)}
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(e, where) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == 'dict' and len(node.args) <= 1
            and all(k.arg is not None for k in node.keywords)):
        # dict(a=1) or, for keys that are not names, dict({'a.b': 1})
        data = _literal(node.args[0], where) if node.args else {}
        if not isinstance(data, dict):
            raise ValueError(f'{where}: line {node.lineno}: dict() of a '
                             f'{type(data).__name__}, expected a dict')
        data.update({k.arg: _literal(k.value, where)
                     for k in node.keywords})
        return data
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(
            f'{where}: line {node.lineno}: {ast.unparse(node)[:60]!r} is not '
            'a literal; a config that travels with a model is read as data '
            '(no code runs)') from None


def _tag_tuples(value):
    if isinstance(value, tuple):
        return {TUPLE_TAG: [_tag_tuples(v) for v in value]}
    if isinstance(value, list):
        return [_tag_tuples(v) for v in value]
    if isinstance(value, dict):
        return {k: _tag_tuples(v) for k, v in value.items()}
    return value
