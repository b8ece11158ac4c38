#!/usr/bin/env python3
"""Whole-run benchmark of `claimstance run`, with its Python twin timed in the same run.

Run from the repo root:
    python3 benches/whole_run.py                 # 1 GB dump, Python twin on a 50 MB slice
    python3 benches/whole_run.py --size 100M     # smaller dump

It builds the release binary, builds a JSONL dump of the requested size under
target/bench/ by repeating ../shared/corpora/fnc1_bodies.jsonl with unique ids,
runs `claimstance run` on it with --threads 1 and --threads 2, runs the bare
scan (examples/bare_scan.rs: parse the JSONL, count leftmost-longest matches of
every actor alias with one aho-corasick DFA, 2 threads) on the same dump, runs
benches/python_pipeline.py (boilerplate rules with the `regex` package, NFKC,
spaCy sentencizer, pyahocorasick, VADER, csv, two worker processes; in the venv
target/pybench, created if missing) on the first --python-size bytes of the
same dump, and for reference the same twin without normalization (less work
than run, left out of the ratio target; --no-less-work-twin skips it), and prints for each run: wall time, CPU
time (user+sys), CPU/wall (the VM does not always grant the second core), MB/s
and peak RSS (from wait4's rusage of the child), then the run/bare-scan and
Rust/Python ratios and the issue's targets. The dump and the output folders are deleted at the end
unless --keep is given. Only the Python standard library is needed here.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "fnc1_bodies.jsonl"
BINARY = ROOT / "target" / "release" / "claimstance"
BARE_SCAN = ROOT / "target" / "release" / "examples" / "bare_scan"
VENV = ROOT / "target" / "pybench"
VENV_PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "benches" / "requirements.txt"
TWIN = ROOT / "benches" / "python_pipeline.py"

TARGET_MBPS = 100.0
TARGET_RATIO = 80.0
TARGET_RSS_MB = 300.0
TARGET_BARE_SCAN_FRACTION = 0.25


def parse_size(text):
    """'1G', '100M', '500K', '12345' (decimal units: 1M = 10^6 bytes)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*", text.upper())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 100M or 1G)")
    number, unit = match.groups()
    return int(float(number) * {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}[unit])


def human(nbytes):
    return f"{nbytes / 1e9:.2f} GB" if nbytes >= 10**9 else f"{nbytes / 1e6:.1f} MB"


def say(*parts):
    print(*parts, flush=True)


def build_dump(path, size):
    """Repeats the corpus with ids prefixed `rN-` until `size` bytes (whole lines)."""
    lines = CORPUS.read_bytes().splitlines(keepends=True)
    prefix = b'{"id": "'
    bodies = []
    for line in lines:
        if not line.strip():
            continue
        if not line.endswith(b"\n"):
            line += b"\n"
        if line.startswith(prefix):
            bodies.append((True, line[len(prefix):]))
        else:
            bodies.append((False, json.loads(line)))
    written = 0
    repetition = 0
    with open(path, "wb") as out:
        while written < size:
            for plain, body in bodies:
                if plain:
                    line = b'%sr%d-%s' % (prefix, repetition, body)
                else:
                    record = dict(body, id=f"r{repetition}-{body.get('id')}")
                    line = json.dumps(record).encode() + b"\n"
                out.write(line)
                written += len(line)
                if written >= size:
                    break
            repetition += 1
    return written


def slice_dump(source, path, size):
    """The first whole lines of `source` adding up to at least `size` bytes."""
    written = 0
    with open(source, "rb") as src, open(path, "wb") as out:
        for line in src:
            out.write(line)
            written += len(line)
            if written >= size:
                break
    return written


def measure(cmd, label, input_bytes, stdout_path=None):
    """Runs `cmd`; returns wall, user+sys CPU and peak RSS of the child (and its reaped children)."""
    say(f"  $ {' '.join(str(c) for c in cmd)}")
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    # The dump just built and the output of the run before are still being
    # written back to disk: flush them first, so that no run pays for another's.
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE)
    # Read stderr before waiting so a chatty child cannot block on a full pipe.
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout_path:
        stdout.close()
    cpu = usage.ru_utime + usage.ru_stime
    result = {
        "label": label,
        "code": proc.returncode,
        "wall": wall,
        "cpu": cpu,
        "rss_mb": usage.ru_maxrss * 1024 / 1e6,  # ru_maxrss is in KiB on Linux
        "bytes": input_bytes,
        "mbps": input_bytes / 1e6 / wall if wall > 0 else 0.0,
        "stderr": stderr.decode("utf-8", "replace"),
    }
    say(
        f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU (CPU/wall {cpu / wall:.2f}), "
        f"{result['mbps']:.1f} MB/s, peak RSS {result['rss_mb']:.0f} MB, exit {proc.returncode}"
    )
    return result


def ensure_venv():
    if VENV_PYTHON.exists():
        check = subprocess.run(
            [str(VENV_PYTHON), "-c", "import spacy, ahocorasick, vaderSentiment, pysbd, regex"],
            capture_output=True,
        )
        if check.returncode == 0:
            return True
    say(f"creating the Python venv {VENV.relative_to(ROOT)} from {REQUIREMENTS.relative_to(ROOT)} (once)")
    if VENV.is_symlink() and not VENV.exists():
        # A link to a venv that was deleted: `venv` would refuse to replace it.
        VENV.unlink()
    steps = [
        [sys.executable, "-m", "venv", str(VENV)],
        [str(VENV / "bin" / "pip"), "install", "-q", "-r", str(REQUIREMENTS)],
    ]
    for step in steps:
        if subprocess.run(step, cwd=ROOT).returncode != 0:
            say(f"  could not run {' '.join(step)}; skipping the Python twin")
            return False
    return True


def manifest_counts(out_dir):
    try:
        counts = json.loads((out_dir / "manifest.json").read_text())["counts"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    keys = ("documents", "errors", "sentences", "mentions", "claims", "favor", "against")
    return ", ".join(f"{k} {counts.get(k)}" for k in keys)


def folder_bytes(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def git_describe():
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True)
    commit = head.stdout.strip() or "unknown"
    return commit + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("1G"), help="dump size (default 1G; 1M = 10^6 bytes)")
    parser.add_argument("--python-size", type=parse_size, default=parse_size("50M"), help="slice given to the Python twin (default 50M)")
    parser.add_argument("--python-segmenter", choices=["spacy", "pysbd", "both", "none"], default="spacy")
    parser.add_argument("--pysbd-size", type=parse_size, default=parse_size("5M"), help="slice given to the pySBD twin (default 5M)")
    parser.add_argument(
        "--no-less-work-twin",
        action="store_true",
        help="do not also run the spaCy twin without normalization (printed for reference, not for the target)",
    )
    parser.add_argument("--threads", default="1,2", help="thread counts of the Rust runs (default 1,2)")
    parser.add_argument("--bare-scan-threads", type=int, default=2, help="threads of the bare scan (default 2; 0 skips it)")
    parser.add_argument("--no-build", action="store_true", help="use target/release/claimstance as it is")
    parser.add_argument("--keep", action="store_true", help="keep the dump and the output folders in target/bench")
    args = parser.parse_args()

    if not CORPUS.exists():
        say(f"whole_run: {CORPUS} is absent (../shared not mounted); nothing to measure, skipping.")
        return 0
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    work = ROOT / "target" / "bench"
    work.mkdir(parents=True, exist_ok=True)

    say(f"whole_run: commit {git_describe()}, {os.cpu_count()} CPUs ({cpu_model()})")
    if not args.no_build:
        say("building: cargo build --release --bin claimstance --example bare_scan")
        build = ["cargo", "build", "--release", "--quiet", "--bin", "claimstance", "--example", "bare_scan"]
        if subprocess.run(build, cwd=ROOT).returncode != 0:
            say("cargo build --release failed")
            return 1

    dump = work / f"dump-{args.size}.jsonl"
    started = time.perf_counter()
    dump_bytes = build_dump(dump, args.size)
    say(f"dump: {dump.relative_to(ROOT)}, {human(dump_bytes)} ({time.perf_counter() - started:.1f} s to build)")

    results = []
    outputs = []
    try:
        for n in threads:
            out = work / f"out-rust-t{n}"
            shutil.rmtree(out, ignore_errors=True)
            say(f"rust --threads {n}:")
            result = measure([BINARY, "run", dump, "--out", out, "--threads", n, "-q"], f"rust t{n}", dump_bytes)
            if result["code"] not in (0, 3):
                say("  claimstance failed:\n" + result["stderr"][-2000:])
            say(f"  counts: {manifest_counts(out)}; output {human(folder_bytes(out))}")
            results.append(result)
            outputs.append(out)
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)

        if args.bare_scan_threads > 0:
            n = args.bare_scan_threads
            say(f"bare scan, {n} threads (parse the JSONL, count alias matches with one DFA):")
            result = measure(
                [BARE_SCAN, dump, "--threads", n], f"bare scan t{n}", dump_bytes, stdout_path=work / "bare_scan.log"
            )
            if result["code"] != 0:
                say("  bare_scan failed:\n" + result["stderr"][-2000:])
            else:
                say("  " + (work / "bare_scan.log").read_text().strip())
                results.append(result)

        segmenters = {"spacy": ["spacy"], "pysbd": ["pysbd"], "both": ["spacy", "pysbd"], "none": []}[args.python_segmenter]
        if segmenters and not ensure_venv():
            segmenters = []
        variants = [(segmenter, True) for segmenter in segmenters]
        if "spacy" in segmenters and not args.no_less_work_twin:
            variants.append(("spacy", False))
        for segmenter, normalizes in variants:
            size = args.python_size if segmenter == "spacy" else args.pysbd_size
            if size >= dump_bytes:
                piece, piece_bytes = dump, dump_bytes
            else:
                piece = work / f"dump-{args.size}-first-{size}.jsonl"
                piece_bytes = slice_dump(dump, piece, size)
                outputs.append(piece)
            name = segmenter if normalizes else f"{segmenter}-nonorm"
            out = work / f"out-python-{name}"
            shutil.rmtree(out, ignore_errors=True)
            note = "" if piece is dump else f" (first {human(piece_bytes)} of the dump; Python's rate is taken from it)"
            what = "" if normalizes else ", without normalization (less work than run; for reference)"
            say(f"python twin, {segmenter}, 2 workers{what}{note}:")
            command = [VENV_PYTHON, TWIN, piece, "--out", out, "--segmenter", segmenter, "--workers", 2]
            if not normalizes:
                command.append("--no-normalize")
            result = measure(command, f"python {name}", piece_bytes, stdout_path=work / f"python-{name}.log")
            result["same_job"] = normalizes
            if result["code"] != 0:
                say("  python_pipeline failed:\n" + result["stderr"][-2000:])
            log = (work / f"python-{name}.log").read_text().strip()
            say(f"  {log}")
            results.append(result)
            outputs.append(out)
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
    finally:
        if not args.keep:
            for path in outputs + [dump]:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                elif path.exists():
                    path.unlink()

    say("")
    say(f"{'run':<20} {'input':>10} {'wall s':>8} {'CPU s':>8} {'CPU/wall':>8} {'MB/s':>8} {'peak RSS':>9}")
    for r in results:
        say(
            f"{r['label']:<20} {human(r['bytes']):>10} {r['wall']:>8.2f} {r['cpu']:>8.2f} "
            f"{r['cpu'] / r['wall']:>8.2f} {r['mbps']:>8.1f} {r['rss_mb']:>6.0f} MB"
        )
    say("(peak RSS of the Python twin is that of its largest process, not the sum of its three)")

    rust = {r["label"]: r for r in results if r["label"].startswith("rust")}
    scan = next((r for r in results if r["label"].startswith("bare scan")), None)
    twins = [r for r in results if r["label"].startswith("python") and r["code"] == 0]
    python = [r for r in twins if r.get("same_job")]
    best_rust = rust.get("rust t2") or (max(rust.values(), key=lambda r: r["mbps"]) if rust else None)
    best_python = max(python, key=lambda r: r["mbps"]) if python else None
    say("")
    if best_rust:
        verdict = "met" if best_rust["mbps"] >= TARGET_MBPS else "MISSED"
        say(
            f"target whole run >= {TARGET_MBPS:.0f} MB/s ({best_rust['label']}, CPU/wall "
            f"{best_rust['cpu'] / best_rust['wall']:.2f}): {best_rust['mbps']:.1f} MB/s, {verdict}"
        )
        rss = max(r["rss_mb"] for r in rust.values())
        verdict = "met" if rss < TARGET_RSS_MB else "MISSED"
        scale = "" if dump_bytes >= 10**9 else f" (on {human(dump_bytes)}; the target is for 1 GB)"
        say(f"target peak RSS < {TARGET_RSS_MB:.0f} MB: {rss:.0f} MB{scale}, {verdict}")
    if best_rust and best_python:
        for r in twins:
            less = "" if r.get("same_job") else " (a twin that skips normalization: less work than run)"
            say(f"ratio {best_rust['label']} / {r['label']}: {best_rust['mbps'] / r['mbps']:.0f}x{less}")
        ratio = best_rust["mbps"] / best_python["mbps"]
        verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
        say(f"target >= {TARGET_RATIO:.0f}x the faster Python pipeline ({best_python['label']}): {ratio:.0f}x, {verdict}")
    if best_rust and scan:
        fraction = best_rust["mbps"] / scan["mbps"]
        verdict = "met" if fraction >= TARGET_BARE_SCAN_FRACTION else "MISSED"
        say(
            f"target {best_rust['label']} >= 1/4 of the {scan['label']} ({scan['mbps']:.0f} MB/s, CPU/wall "
            f"{scan['cpu'] / scan['wall']:.2f}): {fraction:.2f}, {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
