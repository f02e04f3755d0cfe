"""What the measuring scripts share about the stack that scripts/run starts: its settings in
.data/dev.env, and a console session."""
import http.cookiejar, json, os, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def settings():
    """The KEY=value lines of .data/dev.env, which scripts/run writes."""
    values = {}
    with open(os.path.join(ROOT, ".data", "dev.env")) as env:
        for line in env:
            if "=" in line and not line.startswith("#"):
                key, value = line.strip().split("=", 1)
                values[key] = value
    return values


class Console:
    """A console session (the cookie works on every key-service process of the database)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def at(self, base):
        other = Console(base)
        other.opener = self.opener
        return other

    def call(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        request = urllib.request.Request(self.base + path, data=data, method="POST", headers={"Content-Type": "application/json", "Origin": self.base})
        with self.opener.open(request, timeout=30) as answer:
            return json.load(answer)
