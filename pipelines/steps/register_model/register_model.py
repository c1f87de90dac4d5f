"""Trained model -> registered model version with lineage tags (a single-node step).

The model is registered under the pipeline's branch-aware model name, tagged with where it came from
(pipeline, branch, run, content hash of the files, metrics), so promotion can trace any version back
to the run and code that produced it. The registration is also written to <registration>/
registration.json.

Inside Azure ML the compute's identity registers the model through the azure-ai-ml SDK. Outside it
(a local run on the toy dataset) nothing is registered: the file says what would have been.

Run locally:  python register_model.py --model <folder> --model-name <name> --registration <out>
"""
import argparse
import hashlib
import json
import os
from pathlib import Path


def parse_args():
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", required=True, help="folder with the trained model")
    parser.add_argument("--model-name", required=True)
    parser.add_argument("--pipeline-name", default="")
    parser.add_argument("--branch", default="")
    parser.add_argument("--registration", required=True, help="output folder")
    return parser.parse_args()


def content_hash(folder):
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def lineage_tags(args):
    metrics = json.loads((Path(args.model) / "model.json").read_text()).get("metrics", {})
    tags = {
        "pipeline": args.pipeline_name,
        "branch": args.branch,
        "run_id": os.environ.get("AZUREML_ROOT_RUN_ID", os.environ.get("AZUREML_RUN_ID", "local")),
        "content_hash": content_hash(args.model),
    }
    tags.update({f"metric_{k}": f"{v:.4f}" if isinstance(v, float) else str(v) for k, v in metrics.items()})
    return {k: v for k, v in tags.items() if v}


def register_in_workspace(args, tags):
    """Registers through the workspace the job runs in; returns the new version."""
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import Model
    from azure.identity import DefaultAzureCredential

    client = MLClient(
        DefaultAzureCredential(),
        subscription_id=os.environ["AZUREML_ARM_SUBSCRIPTION"],
        resource_group_name=os.environ["AZUREML_ARM_RESOURCEGROUP"],
        workspace_name=os.environ["AZUREML_ARM_WORKSPACE_NAME"],
    )
    model = client.models.create_or_update(
        Model(path=args.model, name=args.model_name, type="custom_model", tags=tags,
              description="Bad-pixel detector trained by the pipeline named in its tags")
    )
    return model.version


def main():
    args = parse_args()
    tags = lineage_tags(args)
    in_azure_ml = "AZUREML_ARM_WORKSPACE_NAME" in os.environ
    version = register_in_workspace(args, tags) if in_azure_ml else None
    record = {"name": args.model_name, "version": version, "registered": in_azure_ml, "tags": tags}
    out = Path(args.registration)
    out.mkdir(parents=True, exist_ok=True)
    (out / "registration.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record))


if __name__ == "__main__":
    main()
