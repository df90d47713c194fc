"""What every tool under ``tools/`` shares: its help format and its error
handling, one clear line for a user's mistake and the traceback for a bug.

A user who passes a missing file, a config with a typo or the checkpoint of
another model needs the sentence that says so, not forty lines of stack; a
bug needs the stack. :func:`run_cli` tells the two apart by the exception's
type: :class:`UserError` (raised by the package where the user's input is at
fault, and the base of its other input errors, e.g.
``UntrustedCheckpointError``) and the operating system's file errors are the
user's; anything else is ours. Nothing heavy is imported here: every tool's
``--help`` loads this module.
``--debug`` (:func:`add_debug_argument`) or ``SLP_MM_DEBUG=1`` shows the
traceback of both.
"""
import argparse
import os
import os.path as osp
import sys
import traceback
from typing import Any, Callable

DEBUG_ENV = 'SLP_MM_DEBUG'
# the exit status of a user error (argparse uses 2 for its usage errors)
USER_ERROR_STATUS = 1


class UserError(Exception):
    """Something the user gave (a file, a config, an argument) is wrong; the
    message says what, where, and what was expected."""


class ConfigError(UserError, ValueError):
    """A config names an unknown component, argument or field, or a value
    of the wrong type."""


class CheckpointMismatchError(UserError, RuntimeError):
    """A checkpoint does not hold the weights of the model it is loaded
    into."""


# errors that are the user's although they are no UserError: a path that is
# not there or not readable
USER_ERRORS = (UserError, FileNotFoundError, IsADirectoryError,
               NotADirectoryError, PermissionError)


class HelpFormatter(argparse.RawDescriptionHelpFormatter,
                    argparse.ArgumentDefaultsHelpFormatter):
    """argparse's help with every default shown (except where the help
    text names the default in its own words), and the description and
    epilog as written (a docstring's examples keep their lines)."""

    def _get_help_string(self, action):
        if 'default' in (action.help or ''):
            return action.help
        return super()._get_help_string(action)


def add_debug_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--debug`` switch :func:`run_cli` reads."""
    parser.add_argument(
        '--debug', action='store_true',
        help='print the traceback of an error in your input too (also '
        f'{DEBUG_ENV}=1; default: off)')


def add_runner_arguments(parser: argparse.ArgumentParser,
                         example: str) -> None:
    """What ``tools/train.py`` and ``tools/test.py`` share: config
    overrides (``example`` shows one), the launcher, the local rank and
    ``--debug``. Parse with :func:`parse_runner_args`."""
    from mmengine.config import DictAction
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help=f'override config settings, e.g. {example}')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='rank of this process on its node (set by the '
                        'launcher)')
    add_debug_argument(parser)


def parse_runner_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse, and give the launcher's ``--local-rank`` to torch through
    ``LOCAL_RANK`` where the launcher did not set it."""
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def run_cli(main: Callable[[], Any]) -> None:
    """Run a tool's ``main``: a :data:`USER_ERRORS` exception becomes one
    line ``<tool>: error: <message>`` on stderr and exit status 1 (after
    its traceback when ``--debug`` is on the command line or
    ``SLP_MM_DEBUG=1``); any other exception keeps its traceback."""
    try:
        main()
    except USER_ERRORS as e:
        if '--debug' in sys.argv[1:] or os.environ.get(DEBUG_ENV) == '1':
            traceback.print_exc()
        tool = osp.basename(sys.argv[0])
        print(f'{tool}: error: {e}  (--debug for the traceback)',
              file=sys.stderr)
        sys.exit(USER_ERROR_STATUS)
