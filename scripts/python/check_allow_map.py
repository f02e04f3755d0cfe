"""Checks the gateway's `map $uri $api_allow` table against the OpenAPI document: for every
documented path, the first matching line must list exactly the path's methods.

usage: check_allow_map.py NGINX_CONF OPENAPI_JSON
"""
import json
import re
import sys


def main(nginx_conf: str, document: str) -> int:
    config = open(nginx_conf).read()
    block = re.search(r"map \$uri \$api_allow \{(.*?)\n\s*\}", config, re.S)
    if not block:
        print(f"{nginx_conf}: no map $uri $api_allow", file=sys.stderr)
        return 1
    table = [(re.compile(pattern), methods) for pattern, methods in re.findall(r'"~([^"]+)"\s+"([^"]*)";', block.group(1))]
    paths = json.load(open(document))["paths"]
    failures = 0
    for path, operations in paths.items():
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
        found = next((methods for pattern, methods in table if pattern.search(concrete)), None)
        expected = {method.upper() for method in operations}
        if "GET" in expected:
            expected.add("HEAD")  # every GET route answers HEAD (the services' routers)
        if found is None or set(found.split(", ")) != expected:
            print(f"{nginx_conf}: {path} allows {found!r}, the document {sorted(expected)}", file=sys.stderr)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
