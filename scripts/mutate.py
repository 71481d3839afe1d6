#!/usr/bin/env python3
"""Damaged real files through the command line: a mutation campaign. Not part of CI.

libFuzzer (scripts/fuzz.sh) explores small inputs (at most 300 KB, a couple a second
once the analysis runs); the analysis's chunked decoding planned from the container's
index, clips, keyframes, the library's stages need whole files of several groups of
pictures, too large and too slow for it. This script damages such files the ways
files get damaged (bytes overwritten, a block zeroed, the file cut short, a block
removed or repeated so that every offset in the index after it is wrong, the
header's bytes changed) and runs the commands on each damaged copy; when an ingest
stores it, also two renditions of the asset and a timeline of two of its ranges.

    python3 scripts/mutate.py --bin BIN [--per-file N] [--seed S] [--timeout T] FILE...

A finding is a run that crashed (killed by a signal), hung (past --timeout), failed
with anything but one error line naming the file, left output behind when it failed,
printed JSON that does not parse, left a library that `verify` finds damaged, or (with
a binary built with --sanitize=address) left an AddressSanitizer report.
Each finding is kept with the damaged file and the command in OUT/findings/.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile


def mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    """The damaged copy of `data`: one kind of damage at places `rng` picks."""
    size = len(data)
    body = max(1, size // 16)  # keep most damage past the first headers
    if kind == "overwrite":
        out = bytearray(data)
        for _ in range(rng.randint(1, 24)):
            at = rng.randrange(body, size) if size > body else 0
            for i in range(at, min(size, at + rng.randint(1, 64))):
                out[i] = rng.randrange(256)
        return bytes(out)
    if kind == "zero":
        at = rng.randrange(0, size)
        length = rng.randint(1024, 65536)
        return data[:at] + bytes(min(length, size - at)) + data[at + length:]
    if kind == "truncate":
        return data[: rng.randint(size // 10, size - 1)]
    if kind == "remove":
        at = rng.randrange(body, size) if size > body else 0
        return data[:at] + data[at + rng.randint(1, 32768):]
    if kind == "repeat":
        at = rng.randrange(0, size)
        block = data[at: at + rng.randint(1, 32768)]
        return data[:at] + block + data[at:]
    if kind == "header":
        out = bytearray(data)
        limit = min(size, 4096)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(0, limit)] = rng.randrange(256)
        return bytes(out)
    raise ValueError(kind)


KINDS = ["overwrite", "zero", "truncate", "remove", "repeat", "header"]


def commands(path: str, scratch: str):
    """The commands run on each damaged file: (name, argv, prints JSON, output left only on success)."""
    keys, thumbs, thumb, board, clip, loop, joined = (
        os.path.join(scratch, name)
        for name in ("keys", "thumbs", "thumb.jpg", "board.jpg", "clip.mp4", "loop.mp4", "joined.mp4"))
    return [
        ("probe", ["probe", path, "--json"], True, None),
        ("segments", ["segments", path, "--json"], True, None),
        ("segments-thumbnails", ["segments", path, "--thumbnails", thumbs, "--json"], True, thumbs),
        ("keyframes", ["keyframes", path, "--out", keys, "--count", "3", "--strategy", "scenes"], False, keys),
        ("thumbnail", ["thumbnail", path, "-o", thumb, "--at", "1"], False, thumb),
        ("storyboard", ["storyboard", path, "-o", board, "--count", "4"], False, board),
        ("clip", ["clip", path, "--start", "0.5", "--end", "1.5", "-o", clip, "--mode", "exact"], False, clip),
        ("clip-copy", ["clip", path, "--start", "0.5", "--end", "1.5", "-o", clip, "--mode", "copy"], False, clip),
        ("clip-smart", ["clip", path, "--start", "0.5", "--end", "1.5", "-o", clip, "--mode", "smart"], False, clip),
        ("loops", ["loops", path, "--max-length", "3", "--render", loop, "--json"], True, loop),
        # The damaged file joined to itself: copied (auto), and re-encoded.
        ("concat", ["concat", path, path, "-o", joined, "--json"], True, joined),
        ("concat-reencode", ["concat", path, path, "-o", joined, "--mode", "reencode", "--json"], True, joined),
        # Into a library with every stage: a batch JSON whether the file was taken or failed (judged
        # on its own), and the library consistent after (``library_check``).
        ("ingest", ["ingest", path, "--library", os.path.join(scratch, "library"), "--json"], True, None),
    ]


def library_commands(scratch: str):
    """The commands run on the asset an ingest of the damaged file stored (asset 1 of the scratch
    library): two renditions, and a timeline of two of its ranges joined by a crossfade. Same
    tuples as ``commands``; their errors may name the asset or its stored file instead of the path."""
    library = os.path.join(scratch, "library")
    timeline = os.path.join(scratch, "timeline.json")
    with open(timeline, "w") as f:
        json.dump({"items": [{"asset": 1, "start": 0, "end": 1},
                             {"asset": 1, "start": 0.5, "end": 1.5,
                              "transition_in": {"type": "crossfade", "frames": 4}}]}, f)
    composed = os.path.join(scratch, "composed.mp4")
    quick = ["--preset", "ultrafast", "--library", library, "--json"]
    return [
        ("variants-compressed", ["variants", "create", "1", "--type", "compressed", "--height", "240"] + quick, True, None),
        ("variants-reframed", ["variants", "create", "1", "--type", "reframed", "--aspect", "1:1"] + quick, True, None),
        ("compose-timeline", ["compose", "--timeline", timeline, "-o", composed, "--stages", "probe",
                              "--library", library, "--json"], True, composed),
    ]


LIBRARY_COMMANDS = ("variants-compressed", "variants-reframed", "compose-timeline")


def stored_asset(stdout: bytes):
    """The asset id an ingest's JSON report gives its one item, or None when it was not stored."""
    try:
        items = json.loads(stdout).get("items") or []
    except (ValueError, AttributeError):
        return None
    return items[0].get("asset_id") if items else None


def library_check(binary: str, scratch: str, env: dict, timeout: float, after: str):
    """What is wrong with the scratch library after command `after`, or None: every stored file
    there with its recorded SHA-256 (`verify`), and the assets listed."""
    library = os.path.join(scratch, "library")
    if not os.path.isdir(library):
        return None
    for argv in (["verify", "--library", library, "--json"], ["assets", "list", "--library", library, "--json"]):
        try:
            result = subprocess.run([binary] + argv, capture_output=True, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "after %s, %s hung" % (after, argv[0])
        if result.returncode != 0:
            return "after %s, %s exit %d: %s" % (after, argv[0], result.returncode,
                                                     result.stderr.decode(errors="replace").strip()[:300])
        try:
            json.loads(result.stdout)
        except ValueError:
            return "after %s, %s printed JSON that does not parse" % (after, argv[0])
    return None


def judge(result, timed_out: bool, wants_json: bool, asan_reports: list, names: list, output):
    """What is wrong with one run, or None. `names`: what its error line may name (the file's
    name; for a library command, the asset too)."""
    if timed_out:
        return "hung"
    if result.returncode < 0:
        return "killed by signal %d" % -result.returncode
    if asan_reports:
        return "AddressSanitizer report"
    if wants_json and (result.returncode == 0 or result.stdout.strip()):
        # With --json a failure is a JSON document too (an error, or a batch's report).
        try:
            document = json.loads(result.stdout)
        except ValueError:
            return "exit %d with JSON that does not parse" % result.returncode
        if isinstance(document, dict) and "items" in document:
            return None  # a batch report: its items say what failed
    if result.returncode == 0:
        return None
    if output and os.path.exists(output):
        return "exit %d with output left at %s" % (result.returncode, os.path.basename(output))
    lines = [line for line in result.stderr.decode(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if not line.startswith("warning:")]
    if len(errors) != 1:
        return "exit %d with %d error lines" % (result.returncode, len(errors))
    if not any(name in errors[0] for name in names):
        return "error line does not name the file"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--per-file", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--out", default="mutate")
    parser.add_argument("--only", help="comma-separated commands to run (default all)")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    findings_dir = os.path.join(args.out, "findings")
    asan_dir = os.path.join(args.out, "asan")
    os.makedirs(findings_dir, exist_ok=True)
    os.makedirs(asan_dir, exist_ok=True)
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=0:log_path=" + os.path.abspath(asan_dir) + "/report"
    only = set(args.only.split(",")) if args.only else None
    runs = findings = 0
    kept = len(os.listdir(findings_dir))  # findings of earlier runs into the same folder stay
    tally = {}
    for source in args.files:
        data = open(source, "rb").read()
        if not data:
            continue
        extension = os.path.splitext(source)[1]
        for n in range(args.per_file):
            kind = KINDS[n % len(KINDS)] if args.per_file >= len(KINDS) else rng.choice(KINDS)
            damaged = mutate(data, kind, rng)
            scratch = tempfile.mkdtemp(prefix="mutate-")
            path = os.path.join(scratch, "%s.%s%d%s" % (os.path.splitext(os.path.basename(source))[0], kind, n, extension))
            with open(path, "wb") as f:
                f.write(damaged)
            pending = commands(path, scratch)
            names = [os.path.basename(path)]
            while pending:
                name, argv, wants_json, output = pending.pop(0)
                if only and name not in only:
                    continue
                before = set(os.listdir(asan_dir))
                timed_out = False
                process = subprocess.Popen([args.bin] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                           start_new_session=True)
                try:
                    stdout, stderr = process.communicate(timeout=args.timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    stdout, stderr = process.communicate()
                    timed_out = True
                result = subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
                runs += 1
                outcome = "exit %d" % result.returncode
                tally[(name, outcome)] = tally.get((name, outcome), 0) + 1
                problem = judge(result, timed_out, wants_json, sorted(set(os.listdir(asan_dir)) - before), names, output)
                if not problem and (name == "ingest" or name in LIBRARY_COMMANDS):
                    problem = library_check(args.bin, scratch, env, args.timeout, name)
                if not problem and name == "ingest" and stored_asset(stdout) == 1:
                    # The stored asset's own commands (with --only, name them beside ingest).
                    pending.extend(library_commands(scratch))
                    names = [os.path.basename(path), "asset 1", "asset #1", os.path.join(scratch, "library", "files"),
                             os.path.join(scratch, "timeline.json")]
                # Reports of the checks after an ingest count too.
                reports = sorted(set(os.listdir(asan_dir)) - before)
                if reports and not problem:
                    problem = "AddressSanitizer report"
                if output and os.path.isdir(output):
                    shutil.rmtree(output)
                elif output and os.path.exists(output):
                    os.remove(output)
                if problem:
                    findings += 1
                    keep = os.path.join(findings_dir, "%03d-%s" % (kept + findings, name))
                    os.makedirs(keep)
                    shutil.copy(path, keep)
                    for report in reports:
                        shutil.move(os.path.join(asan_dir, report), keep)
                    with open(os.path.join(keep, "finding.txt"), "w") as f:
                        f.write("%s\nsource: %s (%s)\ncommand: %s %s\nstderr:\n%s\n" % (
                            problem, source, kind, args.bin, " ".join(argv), stderr.decode(errors="replace")[-4000:]))
                    print("FINDING %s: %s %s on %s (%s)" % (keep, problem, name, source, kind), flush=True)
            shutil.rmtree(scratch, ignore_errors=True)
    print("%d runs, %d findings" % (runs, findings))
    for (name, outcome), count in sorted(tally.items()):
        print("  %-10s %-8s %d" % (name, outcome, count))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
