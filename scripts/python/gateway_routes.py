"""Writes the gateway's routes from the OpenAPI document, so that they are never kept by hand:

- gateway/routes.conf (inside a server): each resource's paths to the service that answers
  them, read from the `x-service` of each operation's tag;
- gateway/allow.conf (the http block): `map $uri $api_allow`, each documented path's methods
  (every GET path answers HEAD too), for the one 405 nginx answers itself (TRACE).

usage: python3 scripts/python/gateway_routes.py [DOCUMENT [OUT_DIR]]
scripts/check-api writes them again and fails if the committed copies differ.
"""
import json
import os
import re
import sys

DOCUMENT = "Services/KeyService/APIDocs/Docs/openapi.json"
OUT_DIR = "gateway"
HEADER = "# Generated from {document} by scripts/python/gateway_routes.py: do not edit; run it again.\n"
# The order the services' own Allow headers use.
METHODS = ["GET", "HEAD", "POST", "PATCH", "DELETE"]
# Each service's upstream is named after it (gateway/render.sh's NAME=host:port arguments); what
# "any" resource service answers goes to the catalog.
ANY = "catalog"


def routes(document):
    services = {tag["name"]: tag["x-service"] for tag in document["tags"]}
    owner = {}
    for path, operations in document["paths"].items():
        segment = path.split("/")[3]
        for operation in operations.values():
            service = services[operation["tags"][0]]
            if owner.setdefault(segment, service) != service:
                raise SystemExit(f"gateway_routes.py: /api/v1/{segment} is answered by both {owner[segment]} and {service}")
    by_upstream = {}
    for segment, service in owner.items():
        if not re.fullmatch(r"[a-z_]+", service):
            raise SystemExit(f"gateway_routes.py: {service!r} is no upstream name (lower-case letters and _)")
        by_upstream.setdefault(ANY if service == "any" else service, []).append(segment)
    lines = [HEADER.format(document=DOCUMENT), "# The public API: each resource to the service that answers it.\n"]
    for upstream in sorted(by_upstream):
        lines.append(f"location ~ ^/api/v1/({'|'.join(by_upstream[upstream])})(/|$) {{\n    proxy_pass http://{upstream};\n}}\n")
    return "\n".join(lines)


def allow_map(document):
    lines = [HEADER.format(document=DOCUMENT),
             "# The methods of each API path, for the one 405 nginx answers itself: TRACE, which it refuses\n"
             "# before choosing a location (the services answer every other method with their own Allow).\n",
             "map $uri $api_allow {"]
    for path, operations in document["paths"].items():
        methods = {method.upper() for method in operations}
        if "GET" in methods:
            methods.add("HEAD")
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
        lines.append(f'    "~{pattern}" "{", ".join(m for m in METHODS if m in methods)}";')
    lines.append('    default "";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(document_path=DOCUMENT, out_dir=OUT_DIR):
    document = json.load(open(document_path))
    with open(os.path.join(out_dir, "routes.conf"), "w") as out:
        out.write(routes(document))
    with open(os.path.join(out_dir, "allow.conf"), "w") as out:
        out.write(allow_map(document))


if __name__ == "__main__":
    main(*sys.argv[1:])
