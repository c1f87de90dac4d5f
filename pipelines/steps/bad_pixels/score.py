"""Candidates + model -> predicted bad pixels (the scoring step).

Writes <predictions>/predictions.csv (video,x,y,probability) with every pixel the model calls bad,
and summary.json with counts per video.

Run locally:  python score.py --features <folder> --model <model folder> --predictions <out>
"""
import argparse
import json
from pathlib import Path

import pixel_model


def parse_args():
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--features", required=True, help="per-frame candidates (frame_features output)")
    parser.add_argument("--model", required=True, help="folder of the registered model")
    parser.add_argument("--predictions", required=True, help="output folder")
    parser.add_argument("--threshold", type=float, default=0.5, help="probability from which a pixel is bad")
    return parser.parse_args()


def main():
    args = parse_args()
    model = pixel_model.load(args.model)
    out = Path(args.predictions)
    out.mkdir(parents=True, exist_ok=True)
    summary = {}
    with open(out / "predictions.csv", "w") as f:
        f.write("video,x,y,probability\n")
        for video_dir in pixel_model.videos_in(args.features):
            bad = 0
            for (x, y), features in sorted(pixel_model.video_features(video_dir).items()):
                p = pixel_model.probability(model["weights"], model["bias"], features)
                if p >= args.threshold:
                    f.write(f"{video_dir.name},{x},{y},{p:.4f}\n")
                    bad += 1
            summary[video_dir.name] = bad
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
