"""Validates a compose file against the compose specification's JSON schema, and checks that
every variable it reads from the environment is documented in the example env file.

usage: check_compose.py COMPOSE_FILE SCHEMA ENV_EXAMPLE
"""
import json
import re
import sys

import jsonschema
import yaml


def main(compose_path: str, schema_path: str, env_example_path: str) -> int:
    with open(schema_path) as schema_file:
        schema = json.load(schema_file)
    with open(compose_path) as compose_file:
        text = compose_file.read()
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(text)), key=lambda e: list(e.path))
    for error in errors:
        print(f"{compose_path}: {'/'.join(map(str, error.path)) or '(top)'}: {error.message}", file=sys.stderr)

    with open(env_example_path) as env_file:
        documented = {line.split("=", 1)[0] for line in env_file if re.match(r"^[A-Z_][A-Z0-9_]*=", line)}
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", text))
    missing = sorted(used - documented)
    for name in missing:
        print(f"{compose_path}: ${{{name}}} is not in {env_example_path}", file=sys.stderr)
    return 1 if errors or missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
