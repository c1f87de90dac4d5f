"""Writes the toy dataset: a few tiny .y4m videos with known bad pixels, and their labels.

The toy dataset has the layout of the real one (a folder of videos plus labels.json), small enough
that a pull request's pipeline run finishes in minutes. Upload the folder to the `toy` datastore under
the path the pipeline definitions name (`videos`). Same seed, same bytes.

    python make_toy_dataset.py --out <folder> [--videos 4] [--frames 8] [--seed 7]

Each video is a moving gradient with sensor noise. Some pixels are stuck bright or dead dark in every
frame (the anomalies, listed in labels.json); others flash once (noise, not anomalies).
"""
import argparse
import json
import random
from pathlib import Path


def parse_args():
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--height", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def make_video(rng, width, height, frames):
    """Returns (luma planes, bad pixel coordinates)."""
    bad = set()
    while len(bad) < rng.randint(2, 4):
        bad.add((rng.randrange(1, width - 1), rng.randrange(1, height - 1)))
    stuck = {p: rng.choice([0, 255]) for p in sorted(bad)}
    planes = []
    for t in range(frames):
        plane = bytearray(width * height)
        for y in range(height):
            for x in range(width):
                base = 60 + 3 * x + 2 * y + 4 * t
                plane[y * width + x] = max(0, min(255, base + rng.randint(-4, 4)))
        for _ in range(3):  # one-frame flashes: look like bad pixels, but do not persist
            x, y = rng.randrange(width), rng.randrange(height)
            if (x, y) not in stuck:
                plane[y * width + x] = 250
        for (x, y), value in stuck.items():
            plane[y * width + x] = value
        planes.append(bytes(plane))
    return planes, sorted(bad)


def write_y4m(path, width, height, planes):
    neutral_chroma = bytes([128]) * (2 * ((width + 1) // 2) * ((height + 1) // 2))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F25:1 Ip A1:1 C420jpeg\n".encode())
        for plane in planes:
            f.write(b"FRAME\n" + plane + neutral_chroma)


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    labels = {}
    for i in range(args.videos):
        name = f"video_{i:03d}"
        planes, bad = make_video(rng, args.width, args.height, args.frames)
        write_y4m(out / f"{name}.y4m", args.width, args.height, planes)
        labels[name] = [list(p) for p in bad]
    (out / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    print(f"wrote {args.videos} videos and labels.json to {out}")


if __name__ == "__main__":
    main()
