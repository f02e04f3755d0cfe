"""Generates real API keys (docs/api-guide.md, "API keys") for the benchmark, without the key service's API.

usage: keys.py COUNT KEYS_OUT SQL_OUT ORGANIZATION_ID
Writes the keys one per line to KEYS_OUT (read by wrk), and to SQL_OUT a COPY of their
SHA-256 digests into api_keys, as the key service would have stored them.
"""
import hashlib
import secrets
import sys
import uuid
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits)).rjust(width, "0")


def key() -> str:
    random = "".join(secrets.choice(ALPHABET) for _ in range(30))
    return "evk_" + random + base62(zlib.crc32(random.encode()), 6)


def main(count: int, keys_out: str, sql_out: str, organization: str) -> None:
    with open(keys_out, "w") as keys, open(sql_out, "w") as sql:
        sql.write("COPY api_keys (id, organization_id, name, prefix, digest, scopes) FROM STDIN;\n")
        for _ in range(count):
            token = key()
            keys.write(token + "\n")
            digest = hashlib.sha256(token.encode()).hexdigest()
            sql.write(f"{uuid.uuid4()}\t{organization}\tbench\t{token[:8]}\t\\\\x{digest}\t{{jobs:read}}\n")
        sql.write("\\.\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4])
