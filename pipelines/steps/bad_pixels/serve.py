"""Online scoring entry script of the bad-pixel model (Azure ML inference server: init() / run()).

Azure ML deploys a non-MLflow (custom_model) model only with a scoring script and an environment
("Deploy and score a machine learning model by using an online endpoint"; "Deploy MLflow models to
online endpoints": only MLflow models deploy without them). This script is that scoring script; the
deployment mounts the registered model folder under AZUREML_MODEL_DIR.

Request body (JSON):
  {"videos": [{"name": "cam-1", "frames": [[[x, y, deviation], ...], ...]}], "threshold": 0.5}
  Each frame lists the candidate pixels the frame_features step finds (deviation 0-255), so the
  online path prepares inputs exactly as training and batch scoring do (pixel_model.features_of_frames).
Answer:
  {"model": {"name": ..., "version": ...}, "threshold": 0.5,
   "videos": [{"name": "cam-1", "bad_pixels": [{"x": 3, "y": 5, "probability": 0.98}, ...]}]}

Run locally:  AZUREML_MODEL_DIR=<model folder> python -c "import serve; serve.init(); print(serve.run(open('req.json').read()))"
"""
import json
import os
from pathlib import Path

import pixel_model

MAX_VIDEOS = 64
MAX_FRAMES = 10_000
model = None
identity = {}


class BadRequest(ValueError):
    """The request does not have the documented shape; the answer says what is wrong."""


def _model_folder(root):
    """The folder holding model.json: the registered folder is mounted one level below AZUREML_MODEL_DIR."""
    found = sorted(Path(root).rglob("model.json"))
    if not found:
        raise FileNotFoundError(f"no model.json under AZUREML_MODEL_DIR={root}")
    return found[0].parent


def init():
    """Loads the model once per worker."""
    global model, identity
    root = os.environ.get("AZUREML_MODEL_DIR", ".")
    model = pixel_model.load(_model_folder(root))
    # Azure ML mounts models at .../azureml-models/<name>/<version>: report what is served.
    parts = Path(root).resolve().parts
    identity = {"name": parts[-2], "version": parts[-1]} if len(parts) >= 2 and parts[-1].isdigit() else {}


def _parse(raw_data):
    try:
        request = json.loads(raw_data) if isinstance(raw_data, (str, bytes)) else raw_data
    except json.JSONDecodeError as e:
        raise BadRequest(f"body is not JSON: {e}") from None
    if not isinstance(request, dict):
        raise BadRequest("body must be a JSON object with 'videos'")
    problems = []
    videos = request.get("videos")
    threshold = request.get("threshold", 0.5)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 <= threshold <= 1:
        problems.append(f"threshold: must be a number 0-1, found {json.dumps(threshold)}")
    if not isinstance(videos, list) or not videos or len(videos) > MAX_VIDEOS:
        problems.append(f"videos: must be a list of 1-{MAX_VIDEOS} videos")
        videos = []
    for i, video in enumerate(videos):
        at = f"videos[{i}]"
        if not isinstance(video, dict) or not isinstance(video.get("name"), str):
            problems.append(f"{at}.name: must be a string")
            continue
        frames = video.get("frames")
        if not isinstance(frames, list) or len(frames) > MAX_FRAMES:
            problems.append(f"{at}.frames: must be a list of at most {MAX_FRAMES} frames")
            continue
        for j, frame in enumerate(frames):
            ok = isinstance(frame, list) and all(
                isinstance(c, list) and len(c) == 3 and all(isinstance(n, int) and not isinstance(n, bool) for n in c) and 0 <= c[2] <= 255
                for c in frame
            )
            if not ok:
                problems.append(f"{at}.frames[{j}]: must list [x, y, deviation] integers, deviation 0-255")
    if problems:
        raise BadRequest("; ".join(problems))
    return videos, float(threshold)


def run(raw_data):
    """Scores one request; a malformed request gets a 400 naming every problem."""
    try:
        videos, threshold = _parse(raw_data)
    except BadRequest as e:
        return _bad_request(str(e))
    if model is None:
        raise RuntimeError("init() has not loaded the model")
    answer = []
    for video in videos:
        features = pixel_model.features_of_frames(video["frames"])
        bad = []
        for (x, y), f in sorted(features.items()):
            p = pixel_model.probability(model["weights"], model["bias"], f)
            if p >= threshold:
                bad.append({"x": x, "y": y, "probability": round(p, 4)})
        answer.append({"name": video["name"], "bad_pixels": bad})
    return {"model": identity, "threshold": threshold, "videos": answer}


def _bad_request(message):
    try:  # the inference server's response type sets the status code
        from azureml.contrib.services.aml_response import AMLResponse
    except ImportError:  # local runs without the inference server
        return {"error": message, "status": 400}
    return AMLResponse(json.dumps({"error": message}), 400)
