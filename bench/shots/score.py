#!/usr/bin/env python3
"""Scores shot boundaries against ground truth: pixsim-media `segments` and
PySceneDetect's content, adaptive, histogram and hash detectors, on the same
files in the same run.

    score.py PIXSIM_BINARY FILE.truth.json...

A hard cut (and a cut into black) counts only at its exact frame; a gradual
transition (dissolve, fade) counts when a boundary falls anywhere in its frames
`[first, end)` (PySceneDetect puts a fade's boundary at the middle of the black,
which is inside). Each truth matches at most one boundary. Per file and in total:
precision, recall and F1 over all transitions, and F1 of hard cuts alone (a
boundary that matches no hard cut and no gradual transition counts against both).
"""
import json, os, subprocess, sys, time

DETECTORS = ["content", "adaptive", "histogram", "hash"]


def ours(binary, path):
    out = subprocess.run([binary, "segments", path, "--json"], check=True, capture_output=True, text=True).stdout
    return [s["start_frame"] for s in json.loads(out)["segments"][1:]]


def pyscene(path, name):
    """PySceneDetect's boundaries, kept in bench/out/shots/cache/ per file, size and
    modification time (they do not change between runs of this project)."""
    stat = os.stat(path)
    cache = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "out", "shots", "cache",
                         f"{os.path.basename(path)}-{stat.st_size}-{int(stat.st_mtime)}-{name}.json")
    if os.path.exists(cache):
        with open(cache) as f:
            return json.load(f)
    found = detect(path, name)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache, "w") as f:
        json.dump(found, f)
    return found


def detect(path, name):
    from scenedetect import open_video, SceneManager, ContentDetector, AdaptiveDetector, HistogramDetector, HashDetector
    detector = {"content": ContentDetector, "adaptive": AdaptiveDetector,
                "histogram": HistogramDetector, "hash": HashDetector}[name]()
    video = open_video(path)
    manager = SceneManager()
    manager.add_detector(detector)
    manager.detect_scenes(video)
    return [scene[0].frame_num for scene in manager.get_scene_list()[1:]]


def match(truth, found):
    """Counts: (matched transitions, matched hard cuts, hard cuts, unmatched boundaries)."""
    left = sorted(found)
    matched = cuts_matched = cuts = 0
    for t in truth:
        if t["kind"] in ("cut", "black-cut"):
            cuts += 1
            if t["frame"] in left:
                left.remove(t["frame"]); matched += 1; cuts_matched += 1
    for t in truth:
        if t["kind"] in ("dissolve", "fade"):
            inside = [f for f in left if t["first"] <= f < t["end"]]
            if inside:
                middle = (t["first"] + t["end"]) / 2
                left.remove(min(inside, key=lambda f: abs(f - middle))); matched += 1
    return matched, cuts_matched, cuts, len(left)


def f1(tp, truth, found):
    p = tp / found if found else 1.0
    r = tp / truth if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    binary, truths = sys.argv[1], sys.argv[2:]
    names = os.environ.get("SHOTS_ONLY", "pixsim " + " ".join(DETECTORS)).split()
    totals = {n: [0, 0, 0, 0, 0] for n in names}  # matched, cut matched, cuts, extra, truths
    print(f"{'file':34} {'n':>3} " + " ".join(f"{n + ' F1/cutF1':>21}" for n in names))
    for truth_path in truths:
        with open(truth_path) as f:
            truth = json.load(f)
        if "corpus_file" in truth:  # a corpus file as it is (bench/shots/real/)
            path = os.path.join(os.environ.get("CORPUS", "../shared/corpus"), truth["corpus_file"])
        else:  # a spliced file, beside its truth
            path = os.path.join(os.path.dirname(truth_path), truth["file"])
        cells = []
        for n in names:
            found = ours(binary, path) if n == "pixsim" else pyscene(path, n)
            m, cm, c, extra = match(truth["transitions"], found)
            t = totals[n]
            t[0] += m; t[1] += cm; t[2] += c; t[3] += extra; t[4] += len(truth["transitions"])
            _, _, all_f1 = f1(m, len(truth["transitions"]), len(found))
            _, _, cut_f1 = f1(cm, c, cm + extra)
            cells.append(f"{all_f1:6.3f}/{cut_f1:5.3f} ({len(found) - m}+,{len(truth['transitions']) - m}-)")
        print(f"{os.path.basename(path)[:34]:34} {len(truth['transitions']):3} " + " ".join(f"{c:>21}" for c in cells), flush=True)
    print("total:")
    for n in names:
        m, cm, c, extra, count = totals[n]
        p, r, a = f1(m, count, m + extra)
        cp, cr, cf = f1(cm, c, cm + extra)
        print(f"  {n:10} transitions {count}: P {p:.3f} R {r:.3f} F1 {a:.3f} | hard cuts {c}: P {cp:.3f} R {cr:.3f} F1 {cf:.3f}")


if __name__ == "__main__":
    main()
