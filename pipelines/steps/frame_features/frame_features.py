"""Frames -> bad-pixel candidates (a parallel step).

A stuck or dead pixel differs sharply from its neighbours, frame after frame. For each frame this
step measures, per pixel, how far it lies from the median of its 8 neighbours, and keeps the pixels
at --min-deviation or more as candidates: <features>/<video>/<frame>.csv with columns x,y,deviation.
Every frame gets a file (possibly with the header only) so later steps can count frames.

Run locally:  python frame_features.py --frames <folder> --features <out> [--min-deviation 40]
"""
import argparse
import sys
from pathlib import Path

args = argparse.Namespace()  # replaced by init()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--frames", help="input folder (local runs only; Azure ML passes mini-batches)")
    parser.add_argument("--features", required=True, help="output folder")
    parser.add_argument("--min-deviation", type=int, default=40, help="0-255: smallest deviation kept")
    known, _ = parser.parse_known_args(argv)
    return known


def read_pgm(path):
    """Returns (width, height, pixels) of a binary (P5) 8-bit PGM image."""
    data = Path(path).read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    magic, width, height, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    if magic != b"P5" or maxval != 255:
        raise ValueError(f"{path}: expected an 8-bit binary PGM")
    pixels = data[pos + 1:pos + 1 + width * height]
    return width, height, pixels


def candidates(width, height, pixels, min_deviation):
    """(x, y, deviation) of pixels far from the median of their neighbours (edges clamped)."""
    found = []
    for y in range(height):
        for x in range(width):
            neighbours = sorted(
                pixels[min(max(y + dy, 0), height - 1) * width + min(max(x + dx, 0), width - 1)]
                for dy in (-1, 0, 1)
                for dx in (-1, 0, 1)
                if dx or dy
            )
            median = (neighbours[3] + neighbours[4]) / 2
            deviation = abs(pixels[y * width + x] - median)
            if deviation >= min_deviation:
                found.append((x, y, int(deviation)))
    return found


def init():
    global args
    args = parse_args(sys.argv[1:])
    Path(args.features).mkdir(parents=True, exist_ok=True)


def run(mini_batch):
    results = []
    for item in mini_batch:
        frame = Path(item)
        if frame.suffix != ".pgm":
            results.append(f"{frame.name}: skipped (not a frame)")
            continue
        width, height, pixels = read_pgm(frame)
        rows = candidates(width, height, pixels, args.min_deviation)
        out = Path(args.features) / frame.parent.name / f"{frame.stem}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("x,y,deviation\n" + "".join(f"{x},{y},{d}\n" for x, y, d in rows))
        results.append(f"{frame.parent.name}/{frame.name}: {len(rows)} candidates")
    return results


if __name__ == "__main__":
    init()
    files = sorted(str(p) for p in Path(args.frames).rglob("*.pgm"))
    for line in run(files):
        print(line)
