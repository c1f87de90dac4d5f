"""New model version vs the approved one -> an evaluation recorded on the new version (the last step).

The training pipeline ends here: the metrics of the version register_model just registered are
compared with those of the version that currently carries the approval tag (default stage=production).
The result is tagged on the new version (evaluation=passed|failed|first, evaluation_baseline,
evaluation_detail) and written to <evaluation>/evaluation.json. `npm run model -- approve` refuses a
version whose evaluation is missing or failed unless forced with a reason.

A version passes when its primary metric (f1 by default) is at least the approved version's minus the
tolerance. Outside Azure ML (a local run) nothing is read or tagged: --baseline-metrics gives the
approved version's metrics as a JSON file instead.

Run locally:  python evaluate_model.py --registration <register_model output> --evaluation <out>
                  [--baseline-metrics metrics.json]
"""
import argparse
import json
import os
from pathlib import Path

METRIC_PREFIX = "metric_"


def parse_args():
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--registration", required=True, help="register_model's output folder (registration.json)")
    parser.add_argument("--evaluation", required=True, help="output folder")
    parser.add_argument("--primary-metric", default="f1")
    parser.add_argument("--tolerance", type=float, default=0.0, help="how much worse than the approved version still passes")
    parser.add_argument("--approval-tag", default="stage=production", help="<key>=<value> of the approved version")
    parser.add_argument("--baseline-metrics", help="local runs: JSON file with the approved version's metrics")
    return parser.parse_args()


def metrics_of(tags):
    """{name: float} from a model version's metric_<name> tags."""
    out = {}
    for key, value in (tags or {}).items():
        if key.startswith(METRIC_PREFIX):
            try:
                out[key[len(METRIC_PREFIX):]] = float(value)
            except ValueError:
                pass
    return out


def compare(candidate, baseline, primary, tolerance):
    """(result, detail): first when nothing is approved yet, else passed/failed on the primary metric."""
    if primary not in candidate:
        return "failed", f"the new version has no {primary} metric"
    if baseline is None:
        return "first", f"no approved version to compare with; {primary}={candidate[primary]:.4f}"
    if primary not in baseline:
        return "passed", f"the approved version has no {primary} metric; {primary}={candidate[primary]:.4f}"
    delta = candidate[primary] - baseline[primary]
    result = "passed" if delta >= -tolerance else "failed"
    return result, f"{primary} {candidate[primary]:.4f} vs approved {baseline[primary]:.4f} ({delta:+.4f}, tolerance {tolerance})"


def approved_in_workspace(client, name, tag_key, tag_value):
    """The newest version of `name` carrying the approval tag, or None."""
    versions = [v for v in client.models.list(name=name) if (v.tags or {}).get(tag_key) == tag_value]
    versions.sort(key=lambda v: int(v.version) if str(v.version).isdigit() else 0, reverse=True)
    return versions[0] if versions else None


def main():
    args = parse_args()
    registration = json.loads((Path(args.registration) / "registration.json").read_text())
    candidate = metrics_of(registration.get("tags"))
    tag_key, _, tag_value = args.approval_tag.partition("=")
    in_azure_ml = bool(registration.get("registered")) and "AZUREML_ARM_WORKSPACE_NAME" in os.environ
    baseline_version = None
    baseline = None
    client = None
    if in_azure_ml:
        from azure.ai.ml import MLClient
        from azure.identity import DefaultAzureCredential

        client = MLClient(
            DefaultAzureCredential(),
            subscription_id=os.environ["AZUREML_ARM_SUBSCRIPTION"],
            resource_group_name=os.environ["AZUREML_ARM_RESOURCEGROUP"],
            workspace_name=os.environ["AZUREML_ARM_WORKSPACE_NAME"],
        )
        approved = approved_in_workspace(client, registration["name"], tag_key, tag_value)
        if approved is not None and str(approved.version) != str(registration["version"]):
            baseline_version, baseline = str(approved.version), metrics_of(approved.tags)
    elif args.baseline_metrics:
        baseline_version, baseline = "local", {k: float(v) for k, v in json.loads(Path(args.baseline_metrics).read_text()).items()}

    result, detail = compare(candidate, baseline, args.primary_metric, args.tolerance)
    tags = {"evaluation": result, "evaluation_detail": detail[:250], **({"evaluation_baseline": baseline_version} if baseline_version else {})}
    if client is not None:
        model = client.models.get(registration["name"], version=str(registration["version"]))
        model.tags = {**(model.tags or {}), **tags}
        client.models.create_or_update(model)
    record = {"name": registration["name"], "version": registration.get("version"), "recorded": client is not None, **tags}
    out = Path(args.evaluation)
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record))


if __name__ == "__main__":
    main()
