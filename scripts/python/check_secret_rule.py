"""Checks the gitleaks rule for Evalyo keys (docs/secret-scanning/gitleaks.toml) and scripts/check-key
against a real key and a look-alike whose checksum fails: the rule finds both (it matches shapes),
the checksum tells them apart, and near misses are not matched at all.

usage: check_secret_rule.py RULES_TOML CHECK_KEY_SCRIPT
"""
import importlib.machinery
import importlib.util
import re
import sys
import tomllib

REAL = "evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe"       # made by the key format's own tests
LOOK_ALIKE = "evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxf"  # one checksum character off


def main(rules_path, check_key_path):
    with open(rules_path, "rb") as file:
        rules = tomllib.load(file)["rules"]
    rule = next(rule for rule in rules if rule["id"] == "evalyo-api-key")
    # gitleaks uses Go's RE2; this rule's syntax means the same in Python's re.
    pattern = re.compile(rule["regex"])
    loader = importlib.machinery.SourceFileLoader("check_key", check_key_path)
    spec = importlib.util.spec_from_loader("check_key", loader)
    check_key = importlib.util.module_from_spec(spec)
    loader.exec_module(check_key)
    text = f'EVALYO_API_KEY="{REAL}"\nother = {LOOK_ALIKE}\nshort = evk_{REAL[4:-1]}\nglued = xevk_{REAL[4:]}\nlong = {REAL}x\n'
    found = [match.group() for match in pattern.finditer(text)]
    failures = []
    if found != [REAL, LOOK_ALIKE]:
        failures.append(f"the rule found {found}, not the real key and the look-alike only")
    if not all(keyword in text for keyword in rule["keywords"]):
        failures.append("the rule's keywords are not in a text with a key")
    if not check_key.well_formed(REAL):
        failures.append("scripts/check-key refuses the real key")
    if check_key.well_formed(LOOK_ALIKE):
        failures.append("scripts/check-key accepts the look-alike")
    for failure in failures:
        print(f"{rules_path}: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
