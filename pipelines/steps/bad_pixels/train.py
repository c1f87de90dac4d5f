"""Candidates + labels -> bad-pixel model (a distributed training step).

Data parallel: every process takes its share of the videos, computes the gradient of the logistic
loss on it, and the gradients are summed across processes each epoch, so all processes hold the same
weights. Azure ML's PyTorch distribution starts the processes and sets RANK, WORLD_SIZE,
MASTER_ADDR and MASTER_PORT; torch.distributed only does the summing. With one process (a local run,
the toy dataset) torch is not needed at all.

Run locally:  python train.py --features <folder> --labels <dataset folder> --model <out>
"""
import argparse
import json
import os
from pathlib import Path

import pixel_model

RANK = int(os.environ.get("RANK", "0"))
WORLD_SIZE = int(os.environ.get("WORLD_SIZE", "1"))


def parse_args():
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--features", required=True, help="per-frame candidates (frame_features output)")
    parser.add_argument("--labels", required=True, help="dataset folder holding labels.json")
    parser.add_argument("--model", required=True, help="output folder for the model")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=2.0)
    parser.add_argument("--min-deviation", type=int, default=40, help="recorded with the model for scoring")
    return parser.parse_args()


def sum_across_processes(values):
    if WORLD_SIZE == 1:
        return values
    import torch
    import torch.distributed as dist

    tensor = torch.tensor(values, dtype=torch.float64)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.tolist()


def examples_for_this_process(features_dir, labels):
    """(features, label) pairs for this process's share of the videos."""
    examples = []
    for video_dir in pixel_model.videos_in(features_dir)[RANK::WORLD_SIZE]:
        bad = {tuple(p) for p in labels.get(video_dir.name, [])}
        for pixel, features in pixel_model.video_features(video_dir).items():
            examples.append((features, 1.0 if pixel in bad else 0.0))
    return examples


def train(examples, epochs, learning_rate):
    weights, bias = [0.0] * len(pixel_model.FEATURES), 0.0
    for _ in range(epochs):
        grad = [0.0] * (len(weights) + 2)  # weights..., bias, example count
        for features, label in examples:
            error = pixel_model.probability(weights, bias, features) - label
            for i, x in enumerate(features):
                grad[i] += error * x
            grad[-2] += error
            grad[-1] += 1
        grad = sum_across_processes(grad)
        n = max(grad[-1], 1)
        weights = [w - learning_rate * g / n for w, g in zip(weights, grad)]
        bias -= learning_rate * grad[-2] / n
    return weights, bias


def evaluate(examples, weights, bias):
    counts = [0.0, 0.0, 0.0]  # true positives, false positives, false negatives
    for features, label in examples:
        predicted = pixel_model.probability(weights, bias, features) >= 0.5
        counts[0] += predicted and label == 1
        counts[1] += predicted and label == 0
        counts[2] += (not predicted) and label == 1
    tp, fp, fn = sum_across_processes(counts)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "positives": tp + fn}


def main():
    args = parse_args()
    if WORLD_SIZE > 1:
        import torch
        import torch.distributed as dist

        dist.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
    labels = json.loads((Path(args.labels) / "labels.json").read_text())
    examples = examples_for_this_process(args.features, labels)
    weights, bias = train(examples, args.epochs, args.learning_rate)
    metrics = evaluate(examples, weights, bias)
    if RANK == 0:
        pixel_model.save(args.model, {
            "kind": "bad-pixel-logistic-regression",
            "features": pixel_model.FEATURES,
            "weights": weights,
            "bias": bias,
            "min_deviation": args.min_deviation,
            "metrics": metrics,
        })
        print(json.dumps(metrics))


if __name__ == "__main__":
    main()
