#!/usr/bin/env bash
# The GPU check in one command, on a GPU machine with its own torch and no
# package index (docs/benchmarks.md, "GPU check"):
#   bash benchmarks/gpu_check.sh [benchmarks/gpu_check.py options]
# Installs what is missing there from .gpu_wheels/ (made where pip reaches an
# index by `python benchmarks/gpu_wheels.py download`) into
# $SLP_MM_GPU_SITE, never torch or numpy, puts it and this checkout on
# PYTHONPATH (no `pip install -e .`: nothing to build) and runs the check.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
site=${SLP_MM_GPU_SITE:-/tmp/slp_mm_gpu_site}
export PYTHONPATH="$site:$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
# nothing can be downloaded there: never wait on the hub
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
"$python" benchmarks/gpu_wheels.py install \
    --wheels "${SLP_MM_GPU_WHEELS:-.gpu_wheels}" --target "$site"
exec "$python" benchmarks/gpu_check.py "$@"
