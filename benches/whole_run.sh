#!/usr/bin/env sh
# Whole-run benchmark of `claimstance run` beside its Python twin: see benches/README.md.
# Run from the repo root: sh benches/whole_run.sh [--size 100M] [--python-size 50M] [...]
exec python3 "$(dirname "$0")/whole_run.py" "$@"
