"""The bad-pixel model shared by training and scoring.

Each candidate pixel of a video is described by two numbers taken over all of the video's frames:
how far it lies from its neighbours on average (0-1), and in what share of frames it was a candidate
at all (persistence). Stuck and dead pixels score high on both; noise spikes only on the first.
A logistic regression over those two numbers decides.
"""
import csv
import json
import math
from collections import defaultdict
from pathlib import Path

FEATURES = ["mean_deviation", "persistence"]


def video_features(video_dir):
    """{(x, y): [mean_deviation, persistence]} for one video's folder of per-frame CSV files."""
    frames = []
    for frame in sorted(Path(video_dir).glob("*.csv")):
        with open(frame, newline="") as f:
            frames.append([(int(r["x"]), int(r["y"]), int(r["deviation"])) for r in csv.DictReader(f)])
    return features_of_frames(frames)


def features_of_frames(frames):
    """{(x, y): [mean_deviation, persistence]} from a video's frames, each a list of (x, y, deviation).

    Training, batch scoring and online scoring all derive features here, so they cannot drift apart.
    """
    total = defaultdict(float)
    seen = defaultdict(int)
    for candidates in frames:
        for x, y, deviation in candidates:
            key = (int(x), int(y))
            total[key] += int(deviation) / 255
            seen[key] += 1
    n = max(len(frames), 1)
    return {key: [total[key] / n, seen[key] / n] for key in total}


def videos_in(features_dir):
    return sorted(p for p in Path(features_dir).iterdir() if p.is_dir())


def probability(weights, bias, features):
    z = bias + sum(w * x for w, x in zip(weights, features))
    return 1 / (1 + math.exp(-z))


def save(model_dir, model):
    Path(model_dir).mkdir(parents=True, exist_ok=True)
    (Path(model_dir) / "model.json").write_text(json.dumps(model, indent=2) + "\n")


def load(model_dir):
    return json.loads((Path(model_dir) / "model.json").read_text())
