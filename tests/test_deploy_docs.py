"""docs/deploy/ray.md: its KubeRay manifest, Slurm recipe and image agree with each other.

The manifest must be a RayCluster KubeRay accepts in shape, run the Ray version this
Redline is tested with on head and workers alike, expose the client port `--ray
ray://...` uses, and take API keys from a Secret rather than from literal values.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from helpers import ci

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "deploy" / "ray.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(DOC.read_text()) if lang == language]


def _manifest() -> dict[str, Any]:
    (text,) = [b for b in _blocks("yaml") if "kind: RayCluster" in b]
    manifest = yaml.safe_load(text)
    assert isinstance(manifest, dict)
    return manifest


def _ray_version() -> str:
    try:
        return version("ray")
    except PackageNotFoundError:
        ci.missing("the ray package (pip install 'redline[ray]')")


def test_the_kuberay_manifest_is_a_raycluster_of_one_ray_version() -> None:
    manifest = _manifest()
    assert manifest["apiVersion"] == "ray.io/v1"
    assert manifest["kind"] == "RayCluster"
    assert manifest["metadata"]["name"]
    spec = manifest["spec"]
    assert spec["rayVersion"] == _ray_version()
    head = spec["headGroupSpec"]
    (head_container,) = head["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in head_container["ports"]}
    # `--ray ray://<head>:10001` reaches Ray Client there; 6379 is the GCS workers join.
    assert ports["client"] == 10001
    assert ports["gcs-server"] == 6379
    assert isinstance(head["rayStartParams"], dict)
    (group,) = spec["workerGroupSpecs"]
    assert group["groupName"]
    assert group["minReplicas"] <= group["replicas"] <= group["maxReplicas"]
    assert isinstance(group["rayStartParams"], dict)
    (worker_container,) = group["template"]["spec"]["containers"]
    # Shards must score with one instrument: the same image (so the same Redline and
    # Ray) on head and workers.
    assert worker_container["image"] == head_container["image"]
    for container in (head_container, worker_container):
        resources = container["resources"]
        assert set(resources) == {"requests", "limits"}
        assert {"cpu", "memory"} <= set(resources["requests"])
    mounts = {m["name"] for m in head_container.get("volumeMounts", [])}
    volumes = {v["name"] for v in head["template"]["spec"].get("volumes", [])}
    assert mounts <= volumes
    for container in (head_container, worker_container):
        # Keys reach workers in the runtime environment, which Ray logs at info.
        levels = [e for e in container["env"] if e["name"] == "RAY_LOGGER_LEVEL"]
        assert levels == [{"name": "RAY_LOGGER_LEVEL", "value": "warning"}]
    for env in (*head_container.get("env", []), *worker_container.get("env", [])):
        if env["name"].endswith("_API_KEY"):
            assert "value" not in env, f"{env['name']} must come from a Secret"
            assert env["valueFrom"]["secretKeyRef"]["name"]


def test_the_image_is_built_on_the_manifests_ray_version() -> None:
    (dockerfile,) = _blocks("dockerfile")
    base = re.search(r"^FROM rayproject/ray:(\S+)-py311", dockerfile, re.MULTILINE)
    assert base is not None
    assert base.group(1) == _manifest()["spec"]["rayVersion"]
    assert '"redline[ray]==' in dockerfile


def test_the_slurm_recipe_is_valid_bash_that_starts_head_and_workers() -> None:
    (script,) = [b for b in _blocks("bash") if b.startswith("#!/bin/bash\n#SBATCH")]
    bash = shutil.which("bash")
    assert bash is not None
    checked = subprocess.run(
        [bash, "-n"], input=script, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    assert re.search(r"^#SBATCH --nodes=\d+$", script, re.MULTILINE)
    assert "ray start --head" in script
    assert 'ray start --address="$head_ip:$port"' in script
    assert "--ray auto" in script
    assert "ray stop" in script
    assert "API_KEY=" not in script
    assert "export RAY_LOGGER_LEVEL=warning" in script.split("ray start", 1)[0]


def test_the_readme_points_at_the_deployment_doc() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Scale out\n", 1)[1].split("\n## ", 1)[0]
    assert "redline assess --ray auto" in section
    assert "--ray ray://" in section
    assert "docs/deploy/ray.md" in section
