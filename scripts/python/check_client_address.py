"""Checks that every public Service keeps the client's address (externalTrafficPolicy: Local).

The sign-in limits count failures per client address. Behind a Kubernetes load balancer with the
default policy (Cluster), a node forwards a connection to a gateway pod on another node with its
own address as the source, so the gateway sees a handful of node addresses for the whole world:
five wrong passwords for one email would then lock every person out of the console.

Usage: check_client_address.py MANIFEST...
"""
import sys

import yaml


def main(paths):
    problems, public = [], 0
    for path in paths:
        for document in yaml.safe_load_all(open(path)):
            if not document or document.get("kind") != "Service":
                continue
            spec = document.get("spec", {})
            if spec.get("type") not in ("LoadBalancer", "NodePort"):
                continue
            public += 1
            name = document.get("metadata", {}).get("name")
            if spec.get("externalTrafficPolicy") != "Local":
                problems.append(f"{path}: Service {name} is {spec.get('type')} without externalTrafficPolicy: Local; "
                                "the gateway would see a node's address instead of the client's")
    if public == 0:
        problems.append("no LoadBalancer or NodePort Service found: the gateway's Service must be public")
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"   {public} public Service(s), each with externalTrafficPolicy: Local")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
