"""Checks deploy/kubernetes/network-policy.yaml against the reachability the platform needs
(docs/operations.md), by evaluating the policies as Kubernetes would for every pair of pods and port:
a connection is allowed when the source's egress rules and the destination's ingress rules
both allow it, and every pod is selected by a default-deny policy for both directions.

Usage: check_network_policy.py POLICIES.yaml
"""
import sys

import yaml

PODS = {
    "gateway": [8080, 8443],
    "key-service": [8081],
    "catalog": [8082],
    "interviews": [8083],
    "reports": [8084],
    "webhooks": [8085],
    "redis": [6379],
}
# The platform's own services (Redis is only the key service's ledger).
SERVICES = [name for name in PODS if name not in ("gateway", "redis")]
# The managed PostgreSQL outside the cluster, an address in the policies' ipBlock, and a client on the internet.
DATABASE = ("postgres", "10.20.0.10", [5432])
OUTSIDE = "outside"
# Webhook endpoints on the internet, and addresses inside that no webhook may reach (the
# cluster's pods among them), each on HTTPS: only the webhooks service reaches the first.
INTERNET = ("endpoint", "93.184.215.14", [443])
INSIDE = [("inside-" + address, address, [443]) for address in ("10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "127.0.0.1", "100.64.0.1")]

EXPECTED = {(OUTSIDE, "gateway", 8080), (OUTSIDE, "gateway", 8443)}
EXPECTED |= {("gateway", name, port) for name in SERVICES for port in PODS[name]}
EXPECTED |= {(name, "key-service", 8081) for name in ("catalog", "interviews", "reports", "webhooks")}
EXPECTED |= {("interviews", "catalog", 8082), ("interviews", "reports", 8084), ("catalog", "interviews", 8083)}
EXPECTED |= {(name, "webhooks", 8085) for name in ("catalog", "interviews", "reports", "key-service")}
EXPECTED |= {(name, "postgres", 5432) for name in SERVICES}
EXPECTED |= {("key-service", "redis", 6379)}
EXPECTED |= {("webhooks", INTERNET[0], 443)}
ADDRESSES = {peer[0]: peer[1] for peer in [DATABASE, INTERNET] + INSIDE}


def labels(pod):
    return {"app.kubernetes.io/name": pod}


def selects(selector, pod_labels):
    return all(pod_labels.get(key) == value for key, value in (selector or {}).get("matchLabels", {}).items())


def in_block(address, cidr):
    import ipaddress
    return ipaddress.ip_address(address) in ipaddress.ip_network(cidr)


def peer_matches(peers, peer):
    """Whether a rule's `from`/`to` list admits the peer (a pod name, the database or the outside)."""
    if peers is None:
        return True
    for entry in peers:
        block = entry.get("ipBlock")
        if block and peer in ADDRESSES and in_block(ADDRESSES[peer], block["cidr"]) \
                and not any(in_block(ADDRESSES[peer], excepted) for excepted in block.get("except", [])):
            return True
        if "podSelector" in entry and "namespaceSelector" not in entry and peer in PODS and selects(entry["podSelector"], labels(peer)):
            return True
    return False


def port_matches(ports, port):
    return ports is None or any(p.get("port") == port and p.get("protocol", "TCP") == "TCP" for p in ports)


def allowed(policies, direction, pod, peer, port):
    selecting = [p for p in policies if selects(p["spec"]["podSelector"], labels(pod)) and direction in p["spec"]["policyTypes"]]
    if not selecting:
        return True  # not isolated in that direction
    key = "ingress" if direction == "Ingress" else "egress"
    peer_key = "from" if key == "ingress" else "to"
    return any(peer_matches(rule.get(peer_key), peer) and port_matches(rule.get("ports"), port)
               for policy in selecting for rule in policy["spec"].get(key, []) or [])


def main():
    policies = [doc for doc in yaml.safe_load_all(open(sys.argv[1])) if doc and doc.get("kind") == "NetworkPolicy"]
    for pod in PODS:
        for direction in ("Ingress", "Egress"):
            if not any(p["spec"]["podSelector"] == {} and direction in p["spec"]["policyTypes"] and not p["spec"].get(direction.lower())
                       for p in policies):
                sys.exit(f"no default-deny {direction} policy covers {pod}")
    sources = list(PODS) + [OUTSIDE]
    outside_peers = [DATABASE[0], INTERNET[0]] + [peer[0] for peer in INSIDE]
    destinations = list(PODS) + outside_peers
    ports = sorted({port for values in PODS.values() for port in values} | set(DATABASE[2]) | set(INTERNET[2]))
    problems = []
    for source in sources:
        for destination in destinations:
            # The database outside the cluster is the cloud's firewall's to guard, not these policies'.
            if source == destination or (source == OUTSIDE and destination in outside_peers):
                continue
            for port in ports:
                out = source == OUTSIDE or allowed(policies, "Egress", source, destination, port)
                into = destination in outside_peers or allowed(policies, "Ingress", destination, source, port)
                actual = out and into
                expected = (source, destination, port) in EXPECTED
                if actual != expected:
                    problems.append(f"{source} -> {destination}:{port} is {'allowed' if actual else 'denied'}, should be "
                                    f"{'allowed' if expected else 'denied'}")
    if problems:
        sys.exit("network-policy.yaml:\n  " + "\n  ".join(problems))
    print(f"   network policies: {len(EXPECTED)} allowed paths, every other pair of pods and ports denied "
          f"(and no pod reaches {len(INSIDE)} inside addresses on 443)")


main()
