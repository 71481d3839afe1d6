#!/usr/bin/env python3
"""Splices single-shot pieces of the corpus's real footage into test files with
known transitions, with the ffmpeg command line, and writes the ground truth
beside each file (`NAME.truth.json`).

    splice.py CORPUS OUT_DIR SEED [COUNT] [PIECES]

Every choice (which piece, where in it, how long, which transition, how long the
transition) comes from a `random.Random(SEED + file index)`, so a seed always
makes the same files. Output: 640x360, 25 fps, yuv420p; the encoding cycles
through H.264 with scene-cut keyframes, H.264 without them, and VP9.

Transitions (frames of the output, `first`/`end` half-open):
- `cut`: the new shot starts at `frame`.
- `dissolve`: 8-15 frames of xfade between the shots, `[first, end)`.
- `fade`: fade out to black, 0-25 black frames, fade in; one transition.
- `black-cut`: a cut into black at `frame` (exact), black, a fade in; one
  transition, scored as a hard cut at `frame`.
"""
import json, os, random, subprocess, sys

FPS = 25
W, H = 640, 360

# Single shots of the corpus, (file, first second, end second), found by looking at
# contact sheets: no cut inside (camera moves, whip pans and lighting changes stay).
SHOTS = [
    ("moviepy/chaplin.mp4", 0.0, 9.6),
    ("ffmpeg-concat/0.mp4", 0.0, 4.0),
    ("ffmpeg-concat/1.mp4", 0.0, 4.0),
    ("ffmpeg-concat/2.mp4", 0.0, 4.0),
    ("PySceneDetect/issue-195-aspect-ratio.mp4", 0.1, 2.75),
    ("PySceneDetect/issue-195-aspect-ratio.mp4", 2.85, 6.75),
    ("PySceneDetect/issue-195-aspect-ratio.mp4", 6.85, 11.95),
    ("PySceneDetect/issue-195-aspect-ratio.mp4", 12.1, 16.75),
    ("PySceneDetect/issue-195-aspect-ratio.mp4", 19.45, 25.0),
    ("PySceneDetect/issue-134-rotate.mp4", 0.0, 3.7),
    ("PySceneDetect/issue-134-rotate.mp4", 3.8, 8.7),
    ("mp4parser/foreman-hevc-384.mp4", 0.0, 10.3),
    # Webcam footage up to where the paper, taken away, covers the lens for a few frames.
    ("streamio-ffmpeg/awesome_movie.mov", 0.0, 3.4),
    ("mediabunny/video-h265.mp4", 0.0, 9.9),
    ("moviepy/big_buck_bunny_0_30.webm", 2.0, 11.7),
    ("moviepy/big_buck_bunny_0_30.webm", 11.9, 15.6),
    ("moviepy/big_buck_bunny_0_30.webm", 15.8, 22.9),
    ("moviepy/big_buck_bunny_0_30.webm", 23.1, 29.9),
]
KINDS = [("cut", 40), ("dissolve", 22), ("fade", 20), ("black-cut", 18)]
ENCODINGS = [
    ("mp4", ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20"]),
    ("mp4", ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-x264-params", "scenecut=0:keyint=250"]),
    ("webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M"]),
]


def choose(rng, table):
    total = sum(w for _, w in table)
    x = rng.uniform(0, total)
    for name, w in table:
        x -= w
        if x <= 0:
            return name
    return table[-1][0]


def make(corpus, out_dir, seed, index, pieces):
    rng = random.Random(seed * 1000 + index)
    ext, codec = ENCODINGS[index % len(ENCODINGS)]
    name = f"spliced-{seed}-{index}.{ext}"
    inputs, chains = [], []
    previous = None
    for k in range(pieces):
        while True:
            shot = rng.choice(SHOTS)
            if shot != previous and os.path.exists(os.path.join(corpus, shot[0])):
                break
        previous = shot
        length = rng.randint(40, 80)  # frames
        room = (shot[2] - shot[1]) - (length + 2) / FPS
        start = shot[1] + (rng.uniform(0, room) if room > 0 else 0)
        length = min(length, int((shot[2] - start) * FPS) - 2)
        inputs += ["-ss", f"{start:.3f}", "-t", f"{(length + 6) / FPS:.3f}", "-i", os.path.join(corpus, shot[0])]
        # tpad: a source that ends a frame short at this rate still gives `length` frames.
        chains.append((f"[{k}:v]fps={FPS},tpad=stop=10:stop_mode=clone,scale={W}:{H}:force_original_aspect_ratio=increase,crop={W}:{H},setsar=1,"
                       f"format=yuv420p,trim=end_frame={length},settb=1/{FPS},setpts=N", length))
    used = [{"file": inputs[i + 5].split(corpus.rstrip("/") + "/")[-1], "start": float(inputs[i + 1]), "frames": chains[i // 6][1]}
            for i in range(0, len(inputs), 6)]
    graph, truth = [], []
    black = 0

    def black_piece(frames):
        nonlocal black
        black += 1
        graph.append(f"color=black:s={W}x{H}:r={FPS},format=yuv420p,trim=end_frame={frames},settb=1/{FPS},setpts=N[b{black}]")
        return f"[b{black}]"

    chain0, total = chains[0]
    graph.append(f"{chain0}[c0]")
    current = "[c0]"
    for k in range(1, pieces):
        chain, length = chains[k]
        kind = choose(rng, KINDS)
        out = f"[c{k}]"
        if kind == "cut":
            graph.append(f"{chain}[p{k}]")
            graph.append(f"{current}[p{k}]concat=n=2:v=1:a=0,settb=1/{FPS},setpts=N{out}")
            truth.append({"kind": "cut", "frame": total})
            total += length
        elif kind == "dissolve":
            d = rng.randint(8, 15)
            graph.append(f"{chain}[p{k}]")
            graph.append(f"{current}fps={FPS}[x{k}];[p{k}]fps={FPS}[y{k}];"
                         f"[x{k}][y{k}]xfade=transition=fade:duration={d / FPS}:offset={(total - d) / FPS},settb=1/{FPS},setpts=N{out}")
            truth.append({"kind": "dissolve", "first": total - d, "end": total})
            total += length - d
        elif kind == "fade":
            fo, fi = rng.randint(8, 15), rng.randint(8, 15)
            hold = 0 if rng.random() < 0.4 else rng.randint(3, 25)
            graph.append(f"{chain},fade=t=in:start_frame=0:nb_frames={fi}[p{k}]")
            graph.append(f"{current}fade=t=out:start_frame={total - fo}:nb_frames={fo}[o{k}]")
            parts = [f"[o{k}]"] + ([black_piece(hold)] if hold else []) + [f"[p{k}]"]
            graph.append(f"{''.join(parts)}concat=n={len(parts)}:v=1:a=0,settb=1/{FPS},setpts=N{out}")
            truth.append({"kind": "fade", "first": total - fo, "end": total + hold + fi})
            total += hold + length
        else:  # black-cut
            hold, fi = rng.randint(12, 30), rng.randint(8, 15)
            graph.append(f"{chain},fade=t=in:start_frame=0:nb_frames={fi}[p{k}]")
            parts = [current, black_piece(hold), f"[p{k}]"]
            graph.append(f"{''.join(parts)}concat=n=3:v=1:a=0,settb=1/{FPS},setpts=N{out}")
            truth.append({"kind": "black-cut", "frame": total, "first": total, "end": total + hold + fi})
            total += hold + length
        current = out
    path = os.path.join(out_dir, name)
    filter_complex = ";".join(graph)
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *inputs,
           "-filter_complex", filter_complex, "-map", current, "-an", *codec, "-r", str(FPS), path]
    subprocess.run(cmd, check=True)
    with open(path + ".truth.json", "w") as f:
        json.dump({"file": name, "frames": total, "fps": FPS, "seed": seed, "pieces": used, "transitions": truth}, f, indent=1)
    return path


def main():
    corpus, out_dir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    pieces = int(sys.argv[5]) if len(sys.argv) > 5 else 16
    os.makedirs(out_dir, exist_ok=True)
    for i in range(count):
        print(make(corpus, out_dir, seed, i, pieces))


if __name__ == "__main__":
    main()
