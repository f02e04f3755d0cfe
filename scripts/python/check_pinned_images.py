"""Checks that every image the deployment runs or builds from is named by an exact version or a
digest (issue 22): the base images of each Dockerfile, the compose file's images, and the
Kubernetes manifests' images, whose tags deploy/kubernetes/kustomization.yaml must set.

Usage: check_pinned_images.py ROOT
"""
import glob
import os
import re
import sys

import yaml

# A digest, or a tag that starts with a full version (1.27.5-alpine, 15.18-bookworm, 6.3.1-noble,
# 24.04) or a date-stamped release (noble-20250925); or the release variable of our own images.
PINNED = re.compile(r"(@sha256:[0-9a-f]{64}$)|(:(\d+\.\d+(\.\d+)?|[a-z]+-\d{8})([-.][A-Za-z0-9.]+)*$)|(:\$\{EVALYO_VERSION[^}]*\}$)")


def check(where, image, problems):
    if not PINNED.search(image):
        problems.append(f"{where}: {image} is not pinned to an exact version or a digest")


def main(root):
    problems = []
    for dockerfile in sorted(glob.glob(os.path.join(root, "**", "Dockerfile"), recursive=True)):
        if "/.build" in dockerfile:
            continue
        for number, line in enumerate(open(dockerfile), 1):
            match = re.match(r"^FROM\s+(\S+)", line)
            if match:
                check(f"{os.path.relpath(dockerfile, root)}:{number}", match.group(1), problems)
    compose = yaml.safe_load(open(os.path.join(root, "docker-compose.yml")))
    for name, service in compose["services"].items():
        if "image" in service:
            check(f"docker-compose.yml: {name}", service["image"], problems)
    kubernetes = os.path.join(root, "deploy", "kubernetes")
    kustomization = yaml.safe_load(open(os.path.join(kubernetes, "kustomization.yaml")))
    tags = {entry["name"]: entry.get("newTag", "") for entry in kustomization.get("images", [])}
    listed = set(kustomization.get("resources", []))
    for path in sorted(glob.glob(os.path.join(kubernetes, "*.yaml"))):
        name = os.path.basename(path)
        if name == "kustomization.yaml":
            continue
        if name not in listed:
            problems.append(f"deploy/kubernetes/kustomization.yaml does not list {name}")
        for document in yaml.safe_load_all(open(path)):
            for container in ((document or {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])):
                image = container["image"]
                check(f"deploy/kubernetes/{name}: {container['name']}", image, problems)
                repository = image.split(":")[0].split("@")[0]
                if repository not in tags:
                    problems.append(f"deploy/kubernetes/kustomization.yaml sets no tag for {repository}")
    for repository, tag in tags.items():
        check("deploy/kubernetes/kustomization.yaml", f"{repository}:{tag}", problems)
    if problems:
        sys.exit("\n".join(problems))
    print("   images: every base image and deployed image is pinned (exact version or digest)")


main(sys.argv[1])
