"""Video files -> frames (a parallel step).

Azure ML starts this script in every worker process, calls init() once, then run(mini_batch) with a
list of file paths from the input folder. Every --frame-step-th frame of each video is written as a
greyscale PGM image, <frames>/<video>/<index>.pgm.

Videos are YUV4MPEG2 (.y4m): the uncompressed format ffmpeg reads and writes, simple enough to parse
without codecs. Only the luma (Y) plane is kept; bad pixels show in it.

Run locally:  python extract_frames.py --videos <folder> --frames <out> [--frame-step 1]
"""
import argparse
import sys
from pathlib import Path

args = argparse.Namespace()  # replaced by init()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--videos", help="input folder (local runs only; Azure ML passes mini-batches)")
    parser.add_argument("--frames", required=True, help="output folder")
    parser.add_argument("--frame-step", type=int, default=1, help="keep every n-th frame")
    # The parallel runtime adds arguments of its own: ignore them.
    known, _ = parser.parse_known_args(argv)
    return known


def chroma_bytes(width, height, colorspace):
    """Bytes of the two chroma planes that follow the luma plane in one frame."""
    half_w, half_h = (width + 1) // 2, (height + 1) // 2
    if colorspace.startswith("420"):
        return 2 * half_w * half_h
    if colorspace.startswith("422"):
        return 2 * half_w * height
    if colorspace.startswith("444"):
        return 2 * width * height
    if colorspace.startswith("mono"):
        return 0
    raise ValueError(f"unsupported Y4M colorspace C{colorspace}")


def read_y4m(path):
    """Yields (width, height, luma bytes) for every frame of a .y4m file."""
    with open(path, "rb") as f:
        header = f.readline().split()
        if not header or header[0] != b"YUV4MPEG2":
            raise ValueError(f"{path}: not a YUV4MPEG2 file")
        params = {p[:1].decode(): p[1:].decode() for p in header[1:]}
        width, height = int(params["W"]), int(params["H"])
        chroma = chroma_bytes(width, height, params.get("C", "420"))
        while True:
            marker = f.readline()
            if not marker:
                return
            if not marker.startswith(b"FRAME"):
                raise ValueError(f"{path}: expected FRAME, found {marker[:10]!r}")
            luma = f.read(width * height)
            f.read(chroma)
            if len(luma) < width * height:
                raise ValueError(f"{path}: truncated frame")
            yield width, height, luma


def write_pgm(path, width, height, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(f"P5\n{width} {height}\n255\n".encode())
        f.write(pixels)


def extract(video, out_dir, frame_step):
    kept = 0
    for index, (width, height, luma) in enumerate(read_y4m(video)):
        if index % frame_step == 0:
            write_pgm(out_dir / f"{index:06d}.pgm", width, height, luma)
            kept += 1
    return kept


def init():
    global args
    args = parse_args(sys.argv[1:])
    Path(args.frames).mkdir(parents=True, exist_ok=True)


def run(mini_batch):
    """One result per item: the parallel runtime counts them to detect failed items."""
    results = []
    for item in mini_batch:
        video = Path(item)
        if video.suffix != ".y4m":
            results.append(f"{video.name}: skipped (not a video)")
            continue
        kept = extract(video, Path(args.frames) / video.stem, args.frame_step)
        results.append(f"{video.name}: {kept} frames")
    return results


if __name__ == "__main__":
    init()
    files = sorted(str(p) for p in Path(args.videos).rglob("*") if p.is_file())
    for line in run(files):
        print(line)
