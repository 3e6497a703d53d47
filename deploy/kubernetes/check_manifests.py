#!/usr/bin/env python3
"""Checks Hartslag's Kubernetes manifests and alert rules before anyone applies them.

    deploy/kubernetes/check_manifests.py [--kubectl PATH|none] [--bin-dir BUILD] [--no-self-test]

Renders every overlay in deploy/kubernetes/overlays (and the base) with
`kubectl kustomize` when kubectl is there; without it, reads the base's files
as they are and says that it skipped the render. Every object must then fit a
schema of our own (SCHEMAS below: per kind the fields we rely on and their
types) and the objects must agree with each other where a mismatch would only
show in a running cluster: Service and disruption budget selectors find the
pods, named ports exist, every container has probes and the restricted
securityContext, every Secret, ConfigMap, key and file a pod uses exists, the
certificates carry the names the callers dial and the URI SANs the services
expect, the NetworkPolicies allow exactly the calls the ConfigMaps configure
(and the database only to those with a database), the metrics ports only to
Prometheus. With --bin-dir (a build tree), every HARTSLAG_* variable a
container gets must be a flag of the program it runs (its --help lists
them), and the probe's `hartslag health` flags must exist. The kustomization
files must stay within what kustomize v2.0.3 (kubectl 1.20, Debian 12's
kubernetes-client) understands. The alert rules
(deploy/metrics) must be complete and name only metrics the services serve,
the PrometheusRule must hold the same rules, the dashboard only those metrics.

Then, unless --no-self-test, it breaks a rendered copy in known ways (a
Service selector, a probe, a certificate's URI, a Secret's name, an extra
NetworkPolicy allowance, ...) and fails if any of those goes unnoticed.

Only the standard library and PyYAML (Debian: python3-yaml).
"""

import argparse
import copy
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The services and their gRPC ports (ARCHITECTURE.md); web speaks HTTPS.
SERVICES = {"directory": 7401, "intake": 7402, "cases": 7403, "audit": 7404, "web": 7400}
METRICS_PORTS = {"web": 9400, "directory": 9401, "intake": 9402, "cases": 9403, "audit": 9404}
# Reached from outside the cluster: partner systems (intake, cases, and
# directory for their tokens) and browsers (web). Audit is not.
EXTERNAL = {"directory", "intake", "cases", "web"}
# The single sequencer of the audit log (base/audit.yaml says why).
SINGLE_REPLICA = {"audit"}
SPIFFE = re.compile(r"^spiffe://hartslag/service/(%s)$" % "|".join(SERVICES))

# Secrets the operator creates (README.md, "Production: Kubernetes") and the
# keys each holds; nothing else may be mounted unless the render or an
# operator (cert-manager, CloudNativePG) makes it.
OPERATOR_SECRETS = {
    "hartslag-ca": {"tls.crt", "tls.key"},
    "hartslag-jwt-signing-key": {"jwt.key"},
    "hartslag-public-keys": {"jwt.pub", "audit-tree.pub"},
    "hartslag-pseudonym-key": {"pseudonym.key"},
    "hartslag-audit-tree-key": {"audit-tree.key"},
    "hartslag-web-session-key": {"web-session.key"},
}
for _s in ("directory", "intake", "cases", "audit"):
    OPERATOR_SECRETS[f"hartslag-db-{_s}"] = {"username", "password"}
    OPERATOR_SECRETS[f"hartslag-db-{_s}-migrate"] = {"username", "password"}
CERT_MANAGER_KEYS = {"tls.crt", "tls.key", "ca.crt"}
# Secrets CloudNativePG makes for a Cluster named X: X-ca, X-app, ...
CNPG_SECRETS = {"-ca": {"ca.crt", "ca.key"}, "-server": {"tls.crt", "tls.key"},
                "-replication": {"tls.crt", "tls.key"},
                "-app": {"username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass"}}

# The metrics the services serve (services/common/metrics.cc,
# operations_service.cc, services/audit/main.cc, services/cases); histograms
# also as _bucket, _sum and _count.
COUNTERS_GAUGES = {
    "grpc_server_handled_total", "hartslag_db_pool_connections", "hartslag_db_pool_size",
    "hartslag_database_reachable",
    "hartslag_outbox_pending", "hartslag_outbox_oldest_pending_seconds", "hartslag_outbox_dead_letters",
    "hartslag_audit_tree_size", "hartslag_audit_unsigned_entries", "hartslag_audit_tree_head_age_seconds",
    "hartslag_watch_actions_streams", "hartslag_web_http_responses_total", "hartslag_web_event_streams",
    "hartslag_audit_appends_total", "hartslag_audit_appends_expected_wrongly_total",
    "hartslag_group_commit_batches_total", "hartslag_group_commit_items_total",
    "hartslag_group_commit_failed_batches_total", "hartslag_group_commit_queued_seconds_total",
    "hartslag_group_commit_running_seconds_total",
}
HISTOGRAMS = {"grpc_server_handling_seconds", "hartslag_db_pool_wait_seconds"}
KNOWN_METRICS = COUNTERS_GAUGES | {h + s for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")}
# grpc_code's values: absl::StatusCodeToString of the call's code
# (services/common/metrics.cc), not gRPC-Go's CamelCase names.
GRPC_CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
              "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
              "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}

# What kustomize v2.0.3 reads. Newer fields (labels, patches, replacements,
# components, replicas, envs) would be ignored or refused there.
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources", "bases", "namespace", "namePrefix", "nameSuffix",
                      "commonLabels", "commonAnnotations", "images", "configMapGenerator", "secretGenerator",
                      "generatorOptions", "patchesStrategicMerge", "patchesJson6902", "vars"}
GENERATOR_KEYS = {"name", "behavior", "literals", "files", "env", "type"}
IMAGE_KEYS = {"name", "newName", "newTag", "digest"}

# ---------------------------------------------------------------------------
# The schema, as data. A path names a field: `a.b` a key, `a[]` every element
# of a list. A type is a Python type, a tuple of them, or a set of allowed
# values. Paths ending in `?` are optional (checked when present).
POD = {
    "spec.template.metadata.labels": dict,
    "spec.template.spec.containers": list,
    "spec.template.spec.containers[].name": str,
    "spec.template.spec.containers[].image": str,
    "spec.template.spec.containers[].command?": list,
    "spec.template.spec.containers[].ports[].containerPort?": int,
    "spec.template.spec.containers[].ports[].name?": str,
    "spec.template.spec.containers[].envFrom[].configMapRef.name?": str,
    "spec.template.spec.containers[].env[].name?": str,
    "spec.template.spec.containers[].resources.requests.cpu": (str, int),
    "spec.template.spec.containers[].resources.requests.memory": str,
    "spec.template.spec.containers[].resources.limits.memory": str,
    "spec.template.spec.containers[].securityContext": dict,
    "spec.template.spec.volumes?": list,
    "spec.template.spec.volumes[].name?": str,
    "spec.template.spec.securityContext": dict,
}
SCHEMAS = {
    "Namespace": {"apiVersion": {"v1"}},
    "ConfigMap": {"apiVersion": {"v1"}, "data": dict},
    "Secret": {"apiVersion": {"v1"}, "type": str, "data?": dict, "stringData?": dict},
    "Deployment": {"apiVersion": {"apps/v1"}, "spec.replicas": int, "spec.selector.matchLabels": dict,
                   "spec.strategy.type": {"RollingUpdate", "Recreate"}, **POD},
    "Job": {"apiVersion": {"batch/v1"}, "spec.backoffLimit": int,
            "spec.template.spec.restartPolicy": {"Never", "OnFailure"}, **POD},
    "Service": {"apiVersion": {"v1"}, "spec.selector": dict, "spec.ports": list, "spec.ports[].name": str,
                "spec.ports[].port": int, "spec.ports[].targetPort": (int, str),
                "spec.type?": {"ClusterIP", "LoadBalancer", "NodePort"}, "spec.clusterIP?": str},
    "PodDisruptionBudget": {"apiVersion": {"policy/v1"}, "spec.selector.matchLabels": dict,
                            "spec.minAvailable?": (int, str), "spec.maxUnavailable?": (int, str)},
    "NetworkPolicy": {"apiVersion": {"networking.k8s.io/v1"}, "spec.podSelector": dict,
                      "spec.policyTypes": list, "spec.policyTypes[]": {"Ingress", "Egress"},
                      "spec.ingress?": list, "spec.ingress[].from?": list, "spec.ingress[].ports?": list,
                      "spec.ingress[].ports[].port": (int, str),
                      "spec.ingress[].ports[].protocol": {"TCP", "UDP", "SCTP"},
                      "spec.egress?": list, "spec.egress[].to?": list, "spec.egress[].ports?": list,
                      "spec.egress[].ports[].port": (int, str),
                      "spec.egress[].ports[].protocol": {"TCP", "UDP", "SCTP"}},
    "Certificate": {"apiVersion": {"cert-manager.io/v1"}, "spec.secretName": str,
                    "spec.issuerRef.name": str, "spec.issuerRef.kind": {"Issuer", "ClusterIssuer"},
                    "spec.dnsNames?": list, "spec.dnsNames[]": str, "spec.uris?": list, "spec.uris[]": str,
                    "spec.ipAddresses?": list, "spec.ipAddresses[]": str, "spec.usages": list,
                    "spec.usages[]": {"server auth", "client auth", "digital signature", "key encipherment"},
                    "spec.duration?": str, "spec.renewBefore?": str,
                    "spec.privateKey.algorithm?": {"RSA", "ECDSA", "Ed25519"}},
    "Issuer": {"apiVersion": {"cert-manager.io/v1"}, "spec.ca.secretName": str},
    "Cluster": {"apiVersion": {"postgresql.cnpg.io/v1"}, "spec.instances": int, "spec.imageName": str,
                "spec.storage.size": str, "spec.postgresql.synchronous.method": {"any", "first"},
                "spec.postgresql.synchronous.number": int,
                "spec.postgresql.synchronous.dataDurability?": {"required", "preferred"},
                "spec.bootstrap.initdb.database": str, "spec.managed.roles": list,
                "spec.managed.roles[].name": str, "spec.managed.roles[].ensure": {"present"},
                "spec.managed.roles[].login": bool, "spec.managed.roles[].passwordSecret.name": str},
    "PodMonitor": {"apiVersion": {"monitoring.coreos.com/v1"}, "spec.selector.matchLabels": dict,
                   "spec.podMetricsEndpoints": list, "spec.podMetricsEndpoints[].port": str},
    "PrometheusRule": {"apiVersion": {"monitoring.coreos.com/v1"}, "spec.groups": list,
                       "spec.groups[].name": str, "spec.groups[].rules": list},
}
RULE_SCHEMA = {"alert": str, "expr": str, "for": str, "labels.severity": {"critical", "warning"},
               "annotations.summary": str, "annotations.description?": str}
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class Problems:
    """Collects what is wrong, each with where it was found."""

    def __init__(self):
        self.items = []

    def add(self, where, what):
        self.items.append(f"{where}: {what}")


# ---------------------------------------------------------------------------
# Field paths

def values_at(obj, path):
    """Every value at `path` (see SCHEMAS), each with the concrete path to it."""
    found = [("", obj)]
    for part in path.split("."):
        each = part.endswith("[]")
        key = part[:-2] if each else part
        following = []
        for where, value in found:
            if not isinstance(value, dict) or key not in value:
                continue
            child = value[key]
            here = f"{where}.{key}" if where else key
            if each:
                if isinstance(child, list):
                    following.extend((f"{here}[{i}]", item) for i, item in enumerate(child))
            else:
                following.append((here, child))
        found = following
    return found


def type_ok(value, expected):
    if isinstance(expected, set):
        return value in expected
    if expected is int and isinstance(value, bool):
        return False
    return isinstance(value, expected)


def type_name(expected):
    if isinstance(expected, set):
        return "one of " + ", ".join(sorted(expected))
    if isinstance(expected, tuple):
        return " or ".join(t.__name__ for t in expected)
    return expected.__name__


def check_schema(obj, schema, where, problems):
    for raw, expected in schema.items():
        optional = raw.endswith("?")
        path = raw.rstrip("?")
        found = values_at(obj, path)
        if not optional and "[]" in path and not path.endswith("[]"):
            # Required of every element of the list (a list with no elements
            # asks nothing; whether the list itself is required is a path of
            # its own).
            head = path[:path.rindex("[]") + 2]
            tail = path[path.rindex("[]") + 3:]
            for element_path, element in values_at(obj, head):
                if not isinstance(element, dict) or not values_at(element, tail):
                    problems.add(where, f"{element_path}.{tail} is missing")
        elif not optional and not found and "[]" not in path:
            problems.add(where, f"{path} is missing")
        for concrete, value in found:
            if not type_ok(value, expected):
                problems.add(where, f"{concrete} is {value!r}, expected {type_name(expected)}")


# ---------------------------------------------------------------------------
# Loading

def load_documents(text, where, problems):
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        problems.add(where, f"does not parse: {e}")
        return []


def render(kubectl, directory, problems):
    result = subprocess.run([kubectl, "kustomize", directory], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        problems.add(os.path.relpath(directory, ROOT), f"kubectl kustomize failed: {result.stderr.strip()}")
        return []
    return load_documents(result.stdout, os.path.relpath(directory, ROOT), problems)


def read_base_unrendered(directory, problems):
    """The base as kustomize would give it, without kustomize: its resource
    files, and its generated ConfigMaps under their plain names."""
    with open(os.path.join(directory, "kustomization.yaml")) as f:
        kustomization = yaml.safe_load(f)
    documents = []
    for name in kustomization.get("resources", []):
        with open(os.path.join(directory, name)) as f:
            documents += load_documents(f.read(), os.path.relpath(os.path.join(directory, name), ROOT), problems)
    for generator in kustomization.get("configMapGenerator", []):
        data = {}
        for literal in generator.get("literals", []):
            key, _, value = literal.partition("=")
            data[key] = value
        documents.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]},
                          "data": data})
    return documents


def check_kustomizations(problems):
    for directory, _, files in os.walk(HERE):
        if "kustomization.yaml" not in files:
            continue
        where = os.path.relpath(os.path.join(directory, "kustomization.yaml"), ROOT)
        with open(os.path.join(directory, "kustomization.yaml")) as f:
            k = yaml.safe_load(f)
        for key in k:
            if key not in KUSTOMIZATION_KEYS:
                problems.add(where, f"`{key}` is unknown to kustomize v2.0.3 (kubectl <= 1.20)")
        for entry in k.get("resources", []):
            if not os.path.isfile(os.path.join(directory, entry)):
                problems.add(where, f"resources: {entry} is not a file (kustomize v2.0.3 reads folders "
                                    "only from `bases`)")
        for entry in k.get("bases", []):
            if not os.path.isfile(os.path.join(directory, entry, "kustomization.yaml")):
                problems.add(where, f"bases: {entry} has no kustomization.yaml")
        for entry in k.get("patchesStrategicMerge", []):
            if not os.path.isfile(os.path.join(directory, entry)):
                problems.add(where, f"patchesStrategicMerge: {entry} is not a file")
        for generator in k.get("configMapGenerator", []) + k.get("secretGenerator", []):
            for key in generator:
                if key not in GENERATOR_KEYS:
                    problems.add(where, f"generator {generator.get('name')}: `{key}` is unknown to kustomize v2.0.3")
        for image in k.get("images", []):
            for key in image:
                if key not in IMAGE_KEYS:
                    problems.add(where, f"images: `{key}` is unknown to kustomize v2.0.3")


# ---------------------------------------------------------------------------
# The rendered objects

def name_of(obj):
    return obj.get("metadata", {}).get("name", "?")


def label_selector_matches(selector, labels):
    """A LabelSelector (matchLabels, matchExpressions) against labels; {} matches all."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


class Pod:
    """The pods a Deployment or Job makes, or a database instance of a CloudNativePG Cluster."""

    def __init__(self, kind, owner, labels, spec, namespace):
        self.kind = kind  # Deployment, Job or Cluster-instance
        self.owner = owner
        self.labels = labels
        self.spec = spec
        self.namespace = namespace

    @property
    def name(self):
        return f"{self.kind}/{name_of(self.owner)}"

    def containers(self):
        return self.spec.get("containers", []) if self.spec else []

    def ports(self):
        """Container port name -> number."""
        return {p.get("name"): p["containerPort"] for c in self.containers() for p in c.get("ports", [])}

    def port_numbers(self):
        return {p["containerPort"] for c in self.containers() for p in c.get("ports", [])}

    def service(self):
        """directory, intake, ... from app.kubernetes.io/name; None for others."""
        name = self.labels.get("app.kubernetes.io/name", "")
        return name[len("hartslag-"):] if name.startswith("hartslag-") and name[9:] in SERVICES else None


class Render:
    def __init__(self, label, documents, namespace):
        self.label = label
        self.documents = documents
        self.namespace = namespace
        self.by_kind = {}
        for d in documents:
            self.by_kind.setdefault(d.get("kind"), []).append(d)
        self.pods = []
        for d in self.of("Deployment") + self.of("Job"):
            template = d.get("spec", {}).get("template", {})
            self.pods.append(Pod(d["kind"], d, template.get("metadata", {}).get("labels", {}) or {},
                                 template.get("spec", {}), namespace))
        for cluster in self.of("Cluster"):
            # CloudNativePG labels its instances with the Cluster's name.
            labels = {"cnpg.io/cluster": name_of(cluster), "cnpg.io/podRole": "instance"}
            self.pods.append(Pod("Cluster-instance", cluster, labels, None, namespace))

    def of(self, kind):
        return self.by_kind.get(kind, [])

    def named(self, kind, name):
        for d in self.of(kind):
            if name_of(d) == name:
                return d
        return None

    def servers(self):
        return [p for p in self.pods if p.kind == "Deployment"]

    def workloads(self):
        return [p for p in self.pods if p.kind in ("Deployment", "Job")]

    def config_maps(self):
        return {name_of(c): c.get("data", {}) or {} for c in self.of("ConfigMap")}

    def secret_keys(self, name):
        """The keys a Secret of this name will hold, or None if nothing makes it."""
        for s in self.of("Secret"):
            if name_of(s) == name:
                return set((s.get("data") or {}).keys()) | set((s.get("stringData") or {}).keys())
        for c in self.of("Certificate"):
            if c.get("spec", {}).get("secretName") == name:
                return CERT_MANAGER_KEYS
        for cluster in self.of("Cluster"):
            for suffix, keys in CNPG_SECRETS.items():
                if name == name_of(cluster) + suffix:
                    return keys
        return OPERATOR_SECRETS.get(name)

    def certificate_for_secret(self, name):
        for c in self.of("Certificate"):
            if c.get("spec", {}).get("secretName") == name:
                return c
        return None


def environment(render, container):
    """The container's environment as the binary sees it: envFrom in order, then env."""
    config_maps = render.config_maps()
    env = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref:
            env.update(config_maps.get(ref["name"], {}))
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        ref = variable.get("valueFrom", {}).get("configMapKeyRef")
        if ref:
            env[variable["name"]] = config_maps.get(ref["name"], {}).get(ref["key"], "")
    return env


def mounted_files(render, pod, container):
    """Path -> (secret name, key) of every file the container's volumes put in place."""
    volumes = {v["name"]: v for v in pod.spec.get("volumes", [])}
    files = {}
    for mount in container.get("volumeMounts", []):
        volume = volumes.get(mount["name"], {})
        sources = []
        if "projected" in volume:
            sources = [s.get("secret") or s.get("configMap") for s in volume["projected"].get("sources", [])]
        elif "secret" in volume:
            sources = [dict(volume["secret"], name=volume["secret"].get("secretName"))]
        elif "emptyDir" in volume:
            files[mount["mountPath"] + "/*"] = (None, None)
        for source in sources:
            if not source:
                continue
            items = source.get("items")
            keys = [(i["key"], i["path"]) for i in items] if items else \
                [(k, k) for k in sorted(render.secret_keys(source["name"]) or [])]
            for key, path in keys:
                files[f"{mount['mountPath']}/{path}"] = (source["name"], key)
    return files


def parse_conninfo(text):
    return dict(re.findall(r"(\w+)=(\S+)", text))


# ---------------------------------------------------------------------------
# NetworkPolicy evaluation (within one namespace; ipBlock peers are taken to
# mean sources outside the cluster, as the Kubernetes documentation intends).

def policies_for(render, pod, direction):
    return [p for p in render.of("NetworkPolicy")
            if direction in p["spec"].get("policyTypes", [])
            and label_selector_matches(p["spec"].get("podSelector", {}), pod.labels)]


def port_matches(rule_ports, pod, port, protocol="TCP"):
    if not rule_ports:
        return True
    for p in rule_ports:
        if p.get("protocol", "TCP") != protocol:
            continue
        wanted = p.get("port")
        if wanted is None or wanted == port or (isinstance(wanted, str) and pod.ports().get(wanted) == port):
            return True
    return False


def peer_matches_pod(peer, pod, namespace):
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        ns_labels = {"kubernetes.io/metadata.name": namespace or ""}
        if not label_selector_matches(peer["namespaceSelector"], ns_labels):
            return False
    return label_selector_matches(peer.get("podSelector", {}), pod.labels)


def allowed(render, source, target, port, protocol="TCP"):
    """Whether `source` (a Pod) may open a connection to `target` (a Pod) on `port`."""
    def side(pod, other, direction, key):
        policies = policies_for(render, pod, direction)
        if not policies:
            return True
        for policy in policies:
            for rule in policy["spec"].get(direction.lower(), []) or []:
                peers = rule.get(key)
                if peers and not any(peer_matches_pod(p, other, render.namespace) for p in peers):
                    continue
                if port_matches(rule.get("ports"), target, port, protocol):
                    return True
        return False
    return side(source, target, "Egress", "to") and side(target, source, "Ingress", "from")


def allowed_from(render, target, port, peer_test):
    """Whether some ingress rule of `target` lets in a peer for which `peer_test` holds on `port`."""
    policies = policies_for(render, target, "Ingress")
    if not policies:
        return True
    for policy in policies:
        for rule in policy["spec"].get("ingress", []) or []:
            peers = rule.get("from")
            if (not peers or any(peer_test(p) for p in peers)) and port_matches(rule.get("ports"), target, port):
                return True
    return False


def may_egress_anywhere(render, pod, port, protocol, peer_test):
    policies = policies_for(render, pod, "Egress")
    if not policies:
        return True
    for policy in policies:
        for rule in policy["spec"].get("egress", []) or []:
            peers = rule.get("to")
            if (not peers or any(peer_test(p) for p in peers)) and port_matches(rule.get("ports"), pod, port,
                                                                                 protocol):
                return True
    return False


def is_external(peer):
    return "ipBlock" in peer


def is_other_namespace(namespace):
    def test(peer):
        if "namespaceSelector" not in peer:
            return False
        return not label_selector_matches(peer["namespaceSelector"], {"kubernetes.io/metadata.name": namespace or ""})
    return test


# ---------------------------------------------------------------------------
# The checks

def check_objects(render, problems):
    for obj in render.documents:
        kind = obj.get("kind")
        where = f"{render.label}: {kind}/{name_of(obj)}"
        if kind not in SCHEMAS:
            problems.add(where, f"no schema for kind {kind}: add one to SCHEMAS")
            continue
        check_schema(obj, SCHEMAS[kind], where, problems)
        if not DNS1123.match(name_of(obj)):
            problems.add(where, "metadata.name is not a DNS-1123 label")


def check_workloads(render, problems):
    for pod in render.workloads():
        where = f"{render.label}: {pod.name}"
        spec = pod.spec
        if spec.get("automountServiceAccountToken") is not False:
            problems.add(where, "automountServiceAccountToken must be false (the services never call the API)")
        if spec.get("enableServiceLinks") is not False:
            problems.add(where, "enableServiceLinks must be false (Kubernetes' HARTSLAG_*_SERVICE_* variables "
                                "would sit next to the HARTSLAG_* flags)")
        pod_security = spec.get("securityContext", {})
        for c in pod.containers():
            cw = f"{where} container {c.get('name')}"
            sc = c.get("securityContext", {})
            if not (sc.get("runAsNonRoot") or pod_security.get("runAsNonRoot")):
                problems.add(cw, "securityContext.runAsNonRoot must be true")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.add(cw, "securityContext.readOnlyRootFilesystem must be true")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.add(cw, "securityContext.allowPrivilegeEscalation must be false")
            if "ALL" not in (sc.get("capabilities", {}).get("drop") or []):
                problems.add(cw, "securityContext.capabilities.drop must contain ALL")
            if (sc.get("seccompProfile") or pod_security.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
                problems.add(cw, "seccompProfile.type must be RuntimeDefault")
            if (sc.get("runAsUser") or pod_security.get("runAsUser") or 0) == 0:
                problems.add(cw, "runAsUser must be set and not 0 (the image's user is 10001)")
            check_references(render, pod, c, cw, problems)
            check_files(render, pod, c, cw, problems)
            if pod.kind == "Deployment":
                check_probes(render, pod, c, cw, problems)
        if pod.kind == "Deployment":
            check_deployment(render, pod, where, problems)


def check_references(render, pod, container, where, problems):
    config_maps = render.config_maps()
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef") or source.get("secretRef")
        if ref and "configMapRef" in source and ref["name"] not in config_maps:
            problems.add(where, f"envFrom ConfigMap {ref['name']} does not exist")
        if ref and "secretRef" in source and render.secret_keys(ref["name"]) is None:
            problems.add(where, f"envFrom Secret {ref['name']} does not exist")
    for variable in container.get("env", []):
        source = variable.get("valueFrom", {})
        if "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            if ref["name"] not in config_maps:
                problems.add(where, f"env {variable['name']}: ConfigMap {ref['name']} does not exist")
            elif ref["key"] not in config_maps[ref["name"]]:
                problems.add(where, f"env {variable['name']}: ConfigMap {ref['name']} has no key {ref['key']}")
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            keys = render.secret_keys(ref["name"])
            if keys is None:
                problems.add(where, f"env {variable['name']}: Secret {ref['name']} is made by nobody "
                                    "(not rendered, not a Certificate's, not CloudNativePG's, not in OPERATOR_SECRETS)")
            elif ref["key"] not in keys:
                problems.add(where, f"env {variable['name']}: Secret {ref['name']} has no key {ref['key']}")
    volumes = {v["name"]: v for v in pod.spec.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        if mount["name"] not in volumes:
            problems.add(where, f"volumeMount {mount['name']} names no volume")
    for volume in volumes.values():
        sources = []
        if "projected" in volume:
            sources = volume["projected"].get("sources", [])
        elif "secret" in volume:
            sources = [{"secret": dict(volume["secret"], name=volume["secret"].get("secretName"))}]
        elif "configMap" in volume:
            sources = [{"configMap": volume["configMap"]}]
        for source in sources:
            if "secret" in source:
                name = source["secret"]["name"]
                keys = render.secret_keys(name)
                if keys is None:
                    problems.add(where, f"volume {volume['name']}: Secret {name} is made by nobody (not rendered, "
                                        "not a Certificate's, not CloudNativePG's, not in OPERATOR_SECRETS)")
                    continue
                for item in source["secret"].get("items", []):
                    if item["key"] not in keys:
                        problems.add(where, f"volume {volume['name']}: Secret {name} has no key {item['key']}")
            if "configMap" in source:
                name = source["configMap"]["name"]
                if name not in config_maps:
                    problems.add(where, f"volume {volume['name']}: ConfigMap {name} does not exist")


def file_paths_in(value):
    """The absolute paths under /etc/hartslag a setting names (also inside a libpq connection string)."""
    paths = []
    for part in re.split(r"[,\s]", value):
        part = part.split("=", 1)[1] if "=" in part else part
        if part.startswith("/etc/hartslag/"):
            paths.append(part)
    return paths


def check_files(render, pod, container, where, problems):
    files = mounted_files(render, pod, container)
    wildcards = [p[:-1] for p in files if p.endswith("/*")]
    env = environment(render, container)
    wanted = [(f"env {k}", p) for k, v in env.items() for p in file_paths_in(v)]
    for probe in ("readinessProbe", "livenessProbe"):
        for arg in container.get(probe, {}).get("exec", {}).get("command", []):
            wanted += [(probe, p) for p in file_paths_in(arg)]
    for what, path in wanted:
        if path not in files and not any(path.startswith(w) for w in wildcards):
            problems.add(where, f"{what} names {path}, which no volume puts there")


def check_probes(render, pod, container, where, problems):
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    for probe in ("readinessProbe", "livenessProbe"):
        spec = container.get(probe)
        if not spec:
            problems.add(where, f"{probe} is missing")
            continue
        for kind in ("tcpSocket", "httpGet", "grpc"):
            port = spec.get(kind, {}).get("port")
            if isinstance(port, str) and port not in ports:
                problems.add(where, f"{probe} names port {port}, which the container does not have")
    liveness = container.get("livenessProbe", {})
    if "exec" in liveness and "health" in liveness["exec"].get("command", []):
        problems.add(where, "livenessProbe runs the health check, which fails with the database: a failover "
                            "would restart every pod")
    readiness = container.get("readinessProbe", {})
    command = readiness.get("exec", {}).get("command", [])
    if "health" in command:
        args = dict(zip(command[2::2], command[3::2])) if command[:2] == ["hartslag", "health"] else {}
        server = args.get("--server", "")
        host, _, port = server.rpartition(":")
        if not port.isdigit() or int(port) != ports.get("grpc"):
            problems.add(where, f"readinessProbe asks {server}, not the container's grpc port {ports.get('grpc')}")
        if "--ca" not in args:
            problems.add(where, "readinessProbe: hartslag health without --ca")
        certificate = server_certificate(render, pod, container)
        if certificate and host not in certificate["spec"].get("dnsNames", []):
            problems.add(where, f"readinessProbe dials {host}, which the server certificate "
                                f"{name_of(certificate)} does not name")


def server_certificate(render, pod, container):
    for path, (secret, key) in mounted_files(render, pod, container).items():
        if path.endswith("/server.crt") and key == "tls.crt":
            return render.certificate_for_secret(secret)
    return None


def check_deployment(render, pod, where, problems):
    d = pod.owner
    if not label_selector_matches(d["spec"].get("selector", {}), pod.labels):
        problems.add(where, "spec.selector does not match the pod template's labels")
    service = pod.service()
    if service is None:
        problems.add(where, "app.kubernetes.io/name is not hartslag-<one of our services>")
        return
    replicas = d["spec"].get("replicas", 1)
    if service in SINGLE_REPLICA:
        if replicas != 1 or d["spec"].get("strategy", {}).get("type") != "Recreate":
            problems.add(where, "the audit log has a single sequencer: 1 replica, strategy Recreate")
    elif replicas < 2:
        problems.add(where, f"a stateless service runs at least 2 replicas, not {replicas}")
    if not any(label_selector_matches(p["spec"]["selector"], pod.labels) for p in render.of("PodDisruptionBudget")):
        problems.add(where, "no PodDisruptionBudget selects its pods")
    container = pod.containers()[0]
    env = environment(render, container)
    ports = pod.ports()
    prefix = f"HARTSLAG_{service.upper()}_"
    main_port = "https" if service == "web" else "grpc"
    listen = env.get(prefix + "LISTEN", "")
    if listen.rpartition(":")[2] != str(ports.get(main_port)) or ports.get(main_port) != SERVICES[service]:
        problems.add(where, f"{prefix}LISTEN={listen!r}, container port {main_port}={ports.get(main_port)}, "
                            f"the service's port is {SERVICES[service]}")
    metrics = env.get(prefix + "METRICS_ADDRESS", "")
    if (metrics.rpartition(":")[2] != str(ports.get("metrics")) or ports.get("metrics") != METRICS_PORTS[service]
            or str(pod.owner["spec"]["template"]["metadata"].get("annotations", {}).get("prometheus.io/port"))
            != str(METRICS_PORTS[service])):
        problems.add(where, f"{prefix}METRICS_ADDRESS={metrics!r}, the metrics port and the prometheus.io/port "
                            f"annotation must all be {METRICS_PORTS[service]}")
    certificate = server_certificate(render, pod, container)
    if certificate is None:
        problems.add(where, "no cert-manager certificate is mounted as server.crt")
    client = None
    for path, (secret, key) in mounted_files(render, pod, container).items():
        if path.endswith("/service.crt"):
            client = render.certificate_for_secret(secret)
    uris = client["spec"].get("uris", []) if client else []
    if uris != [f"spiffe://hartslag/service/{service}"]:
        problems.add(where, f"its client certificate (service.crt) must carry exactly "
                            f"spiffe://hartslag/service/{service}, not {uris}")


def check_services(render, problems):
    for s in render.of("Service"):
        where = f"{render.label}: Service/{name_of(s)}"
        selector = s["spec"].get("selector", {})
        pods = [p for p in render.pods if p.kind in ("Deployment", "Job")
                and all(p.labels.get(k) == v for k, v in selector.items())]
        if not any(p.kind == "Deployment" for p in pods):
            problems.add(where, f"selector {selector} matches no Deployment's pods")
        for p in pods:
            if p.kind == "Job":
                problems.add(where, f"selector {selector} also matches the pods of {p.name}")
                continue
            for port in s["spec"].get("ports", []):
                target = port.get("targetPort", port.get("port"))
                if isinstance(target, str) and target not in p.ports():
                    problems.add(where, f"port {port.get('name')} targets {target}, which {p.name} does not name")
                if isinstance(target, int) and target not in p.port_numbers():
                    problems.add(where, f"port {port.get('name')} targets {target}, which {p.name} does not open")


def check_budgets(render, problems):
    for b in render.of("PodDisruptionBudget"):
        where = f"{render.label}: PodDisruptionBudget/{name_of(b)}"
        if ("minAvailable" in b["spec"]) == ("maxUnavailable" in b["spec"]):
            problems.add(where, "needs exactly one of minAvailable and maxUnavailable")
        if not any(p.kind == "Deployment" and label_selector_matches(b["spec"]["selector"], p.labels)
                   for p in render.pods):
            problems.add(where, "selects no Deployment's pods")


def check_certificates(render, problems):
    for c in render.of("Certificate"):
        where = f"{render.label}: Certificate/{name_of(c)}"
        spec = c["spec"]
        if not (spec.get("dnsNames") or spec.get("uris") or spec.get("ipAddresses") or spec.get("commonName")):
            problems.add(where, "names nothing (dnsNames, uris, ipAddresses)")
        for uri in spec.get("uris", []) or []:
            if not SPIFFE.match(uri):
                problems.add(where, f"URI SAN {uri} is not spiffe://hartslag/service/<one of our services>")
        for ip in spec.get("ipAddresses", []) or []:
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                problems.add(where, f"ipAddresses: {ip} is not an address")
        usages = set(spec.get("usages", []))
        if spec.get("uris") and "client auth" not in usages:
            problems.add(where, "a client certificate needs the usage `client auth`")
        if spec.get("dnsNames") and "server auth" not in usages:
            problems.add(where, "a server certificate needs the usage `server auth`")
        issuer = spec.get("issuerRef", {})
        if issuer.get("kind") == "Issuer" and not render.named("Issuer", issuer.get("name")):
            problems.add(where, f"Issuer {issuer.get('name')} does not exist")
    for i in render.of("Issuer"):
        secret = i["spec"].get("ca", {}).get("secretName")
        keys = render.secret_keys(secret)
        if keys is None or not {"tls.crt", "tls.key"} <= keys:
            problems.add(f"{render.label}: Issuer/{name_of(i)}", f"its CA Secret {secret} is made by nobody")


def check_database(render, problems):
    clusters = render.of("Cluster")
    for cluster in clusters:
        where = f"{render.label}: Cluster/{name_of(cluster)}"
        spec = cluster["spec"]
        synchronous = spec.get("postgresql", {}).get("synchronous", {})
        if spec.get("instances", 0) < 3:
            problems.add(where, "three instances or more")
        if not 1 <= synchronous.get("number", 0) < spec.get("instances", 0):
            problems.add(where, "synchronous.number must be at least 1 and below the number of instances")
        for role in spec.get("managed", {}).get("roles", []):
            keys = render.secret_keys(role.get("passwordSecret", {}).get("name"))
            if keys is None or not {"username", "password"} <= keys:
                problems.add(where, f"role {role.get('name')}: its password Secret is made by nobody")
    roles = {r["name"] for c in clusters for r in c["spec"].get("managed", {}).get("roles", [])}
    rw_hosts = {name_of(c) + "-rw" for c in clusters}
    db_pods = [p for p in render.pods if p.kind == "Cluster-instance"]
    with_database = set()
    for pod in render.workloads():
        service = pod.service()
        for container in pod.containers():
            env = environment(render, container)
            where = f"{render.label}: {pod.name}"
            key = f"HARTSLAG_{(service or '').upper()}_DB"
            if key not in env:
                continue
            with_database.add(pod.name)
            conninfo = parse_conninfo(env[key])
            if conninfo.get("host") not in rw_hosts:
                problems.add(where, f"{key} connects to {conninfo.get('host')}, not a Cluster's read-write "
                                    f"Service ({', '.join(sorted(rw_hosts))})")
            if conninfo.get("user") not in roles:
                problems.add(where, f"{key}: role {conninfo.get('user')} is not among the Cluster's managed roles")
            if conninfo.get("sslmode") != "verify-full":
                problems.add(where, f"{key}: sslmode must be verify-full")
            if pod.kind == "Deployment":
                if env.get(f"HARTSLAG_{service.upper()}_MIGRATIONS") != "require":
                    problems.add(where, f"HARTSLAG_{service.upper()}_MIGRATIONS must be require (its role may "
                                        "not change the schema; the migration Job does)")
                if not any(j.kind == "Job" and j.service() == service and
                           j.containers()[0].get("command") == [f"hartslag-{service}", "migrate"]
                           for j in render.pods):
                    problems.add(where, f"no Job runs `hartslag-{service} migrate`")
            if pod.kind == "Job":
                deployment = [d for d in render.servers() if d.service() == service]
                if deployment:
                    app = parse_conninfo(environment(render, deployment[0].containers()[0]).get(key, ""))
                    if app.get("user") == conninfo.get("user"):
                        problems.add(where, "the migration Job and the pods use the same role: the pods' role "
                                            "must not own the schema")
            for instance in db_pods:
                if not allowed(render, pod, instance, 5432):
                    problems.add(where, "the NetworkPolicies do not let it reach PostgreSQL on 5432")
    for pod in render.workloads():
        for instance in db_pods:
            if allowed(render, pod, instance, 5432) and pod.name not in with_database:
                problems.add(f"{render.label}: {pod.name}", "may reach PostgreSQL but has no database")
    for instance in db_pods:
        if allowed_from(render, instance, 5432, is_external):
            problems.add(f"{render.label}: {instance.name}", "PostgreSQL is reachable from outside the cluster")


def check_network(render, problems):
    for policy in render.of("NetworkPolicy"):
        where = f"{render.label}: NetworkPolicy/{name_of(policy)}"
        if not any(label_selector_matches(policy["spec"]["podSelector"], p.labels) for p in render.pods):
            problems.add(where, "its podSelector selects no pod")
        for direction, key in (("ingress", "from"), ("egress", "to")):
            for rule in policy["spec"].get(direction, []) or []:
                for peer in rule.get(key, []) or []:
                    if "podSelector" in peer and "namespaceSelector" not in peer and \
                            not any(label_selector_matches(peer["podSelector"], p.labels) for p in render.pods):
                        problems.add(where, f"{direction} peer {peer['podSelector']} selects no pod")
                    if "ipBlock" in peer:
                        try:
                            ipaddress.ip_network(peer["ipBlock"]["cidr"])
                        except ValueError:
                            problems.add(where, f"ipBlock {peer['ipBlock']['cidr']} is not a network")
    servers = render.servers()
    # The calls the configuration makes: HARTSLAG_<NAME>_ADDR=host:port.
    configured = set()
    for source in servers:
        env = environment(render, source.containers()[0])
        for key, value in env.items():
            if not re.match(r"^HARTSLAG_[A-Z]+_ADDR$", key):
                continue
            where = f"{render.label}: {source.name} {key}"
            host, _, port = value.rpartition(":")
            service = render.named("Service", host.split(".")[0])
            if service is None:
                problems.add(where, f"{value}: no Service {host.split('.')[0]}")
                continue
            ports = [p for p in service["spec"]["ports"] if str(p["port"]) == port]
            if not ports:
                problems.add(where, f"{value}: Service {name_of(service)} has no port {port}")
                continue
            targets = [p for p in servers if all(p.labels.get(k) == v for k, v in service["spec"]["selector"].items())]
            for target in targets:
                target_port = ports[0].get("targetPort", ports[0]["port"])
                number = target.ports().get(target_port) if isinstance(target_port, str) else target_port
                configured.add((source.name, target.name, number))
                if not allowed(render, source, target, number):
                    problems.add(where, f"calls {target.name} on {number}, which the NetworkPolicies do not allow")
                certificate = server_certificate(render, target, target.containers()[0])
                if certificate and host not in certificate["spec"].get("dnsNames", []):
                    problems.add(where, f"dials {host}, which {target.name}'s certificate "
                                        f"{name_of(certificate)} does not name")
    # ... and nothing more between our pods.
    for source in render.workloads():
        for target in servers:
            for number in target.port_numbers():
                if source is not target and allowed(render, source, target, number) and \
                        (source.name, target.name, number) not in configured:
                    problems.add(f"{render.label}: NetworkPolicies",
                                 f"{source.name} may reach {target.name} on {number}, a call no configuration makes")
    for target in servers:
        service = target.service()
        main = target.ports().get("https" if service == "web" else "grpc")
        outside = allowed_from(render, target, main, is_external)
        if service in EXTERNAL and not outside:
            problems.add(f"{render.label}: {target.name}", "partners or browsers cannot reach it from outside")
        if service not in EXTERNAL and outside:
            problems.add(f"{render.label}: {target.name}", "is reachable from outside the cluster")
        metrics = target.ports().get("metrics")
        if allowed_from(render, target, metrics, is_external):
            problems.add(f"{render.label}: {target.name}", "its metrics port is reachable from outside the cluster")
        if not allowed_from(render, target, metrics, is_other_namespace(render.namespace)):
            problems.add(f"{render.label}: {target.name}", "Prometheus (another namespace) cannot scrape it")
        for source in render.workloads():
            if allowed(render, source, target, metrics):
                problems.add(f"{render.label}: {target.name}", f"its metrics port is reachable from {source.name}")
    for pod in render.workloads():
        if not may_egress_anywhere(render, pod, 53, "UDP", is_other_namespace(render.namespace)):
            problems.add(f"{render.label}: {pod.name}", "may not ask the cluster's DNS (UDP 53)")


def check_images(render, problems):
    images = {c["image"] for p in render.workloads() for c in p.containers()}
    if len(images) != 1:
        problems.add(render.label, f"every pod and Job must run the same image, not {sorted(images)}")
    for image in images:
        if ":" not in image.rsplit("/", 1)[-1] and "@" not in image:
            problems.add(render.label, f"image {image} has no tag: set one with `images:` in the overlay")
        elif image.endswith(":latest"):
            problems.add(render.label, f"image {image}: a fixed tag, not latest")


def check_rendering(render, problems, overlay):
    checks = [check_objects, check_workloads, check_services, check_budgets, check_certificates,
              check_database, check_network] + ([check_images] if overlay else [])
    for check in checks:
        # The cross-checks take the schema for granted; an object that does
        # not fit it may trip them, which is a problem too, not a crash.
        try:
            check(render, problems)
        except (KeyError, TypeError, AttributeError, IndexError, StopIteration) as e:
            problems.add(render.label, f"{check.__name__} could not finish ({type(e).__name__}: {e}); "
                                       "see the schema problems")
    if overlay:
        rules = [r for p in render.of("PrometheusRule") for g in p["spec"]["groups"] for r in g["rules"]]
        for rule in rules:
            check_schema(rule, RULE_SCHEMA, f"{render.label}: PrometheusRule rule {rule.get('alert')}", problems)


# ---------------------------------------------------------------------------
# The programs themselves

class Programs:
    """What each program's --help says: its flags and their environment variables."""

    def __init__(self, bin_dir):
        self.paths = {}
        for sub in ("services", "clients"):
            for directory, _, files in os.walk(os.path.join(bin_dir, sub)):
                for f in files:
                    path = os.path.join(directory, f)
                    if f.startswith("hartslag") and os.access(path, os.X_OK) and "." not in f:
                        self.paths.setdefault(f, path)
        self.cache = {}

    def help(self, argv):
        """(flags, environment variables) of `argv --help`, or None without the program."""
        key = tuple(argv)
        if key not in self.cache:
            path = self.paths.get(argv[0])
            if path is None:
                self.cache[key] = None
            else:
                out = subprocess.run([path] + list(argv[1:]) + ["--help"], capture_output=True, text=True,
                                     timeout=20, env={"PATH": "/usr/bin:/bin"})
                text = out.stdout + out.stderr
                self.cache[key] = (set(re.findall(r"^\s+--([a-z0-9-]+)", text, re.M)),
                                   set(re.findall(r"\[env (\w+)\]", text)))
        return self.cache[key]


def check_programs(render, programs, problems):
    missing = set()
    for pod in render.workloads():
        for container in pod.containers():
            where = f"{render.label}: {pod.name} container {container.get('name')}"
            command = container.get("command", [])
            known = programs.help(command)
            if known is None:
                missing.add(command[0] if command else "?")
                continue
            for variable in sorted(environment(render, container)):
                if variable.startswith("HARTSLAG_") and variable not in known[1]:
                    problems.add(where, f"{variable} is no flag of `{' '.join(command)}` (its --help)")
            probe = container.get("readinessProbe", {}).get("exec", {}).get("command", [])
            if probe:
                flags = programs.help(probe[:2])
                if flags is None:
                    missing.add(probe[0])
                    continue
                for arg in probe[2:]:
                    if arg.startswith("--") and arg[2:].split("=")[0] not in flags[0]:
                        problems.add(where, f"readinessProbe: `{' '.join(probe[:2])}` has no flag {arg}")
    return missing


# ---------------------------------------------------------------------------
# Alert rules and dashboard

PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
                "offset", "inf", "nan"}


def metric_names(expr):
    """The metric names a PromQL expression reads (not functions, labels, keywords)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\$\w+", "", text)  # dashboard variables
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        name = match.group(0)
        following = text[match.end():].lstrip()
        if following.startswith("(") or name in PROMQL_WORDS:
            continue
        if re.match(r"^\d", name):
            continue
        names.add(name)
    return names


def unknown_codes(expr):
    """grpc_code values an expression compares with that no call can have."""
    codes = set()
    for _, value in re.findall(r'grpc_code\s*(=~|!~|=|!=)\s*"([^"]*)"', expr):
        codes |= set(value.split("|"))
    return codes - GRPC_CODES


def check_rules(problems):
    path = os.path.join(ROOT, "deploy", "metrics", "hartslag-alerts.yml")
    where = os.path.relpath(path, ROOT)
    with open(path) as f:
        rules_file = yaml.safe_load(f)
    groups = rules_file.get("groups") if isinstance(rules_file, dict) else None
    if not groups:
        problems.add(where, "has no groups")
        return None
    alerts = set()
    for group in groups:
        for rule in group.get("rules", []):
            rule_where = f"{where}: {rule.get('alert', '?')}"
            check_schema(rule, RULE_SCHEMA, rule_where, problems)
            if not re.match(r"^\d+[smh]$", str(rule.get("for", ""))):
                problems.add(rule_where, f"for: {rule.get('for')!r} is not a duration")
            if rule.get("alert") in alerts:
                problems.add(rule_where, "a second alert of that name")
            alerts.add(rule.get("alert"))
            unknown = metric_names(str(rule.get("expr", ""))) - KNOWN_METRICS
            if unknown:
                problems.add(rule_where, f"names metrics the services do not serve: {sorted(unknown)}")
            codes = unknown_codes(str(rule.get("expr", "")))
            if codes:
                problems.add(rule_where, f"grpc_code values no call has: {sorted(codes)}")
    # What the brief asked to be watched.
    for wanted in ('hartslag_outbox_oldest_pending_seconds{target="audit"} > 300',
                   "hartslag_audit_tree_head_age_seconds > 3600", "grpc_server_handled_total",
                   "hartslag_database_reachable", "hartslag_outbox_dead_letters"):
        if not any(wanted in str(r.get("expr")) for g in groups for r in g.get("rules", [])):
            problems.add(where, f"no rule watches {wanted}")
    operator_path = os.path.join(HERE, "prometheus-operator", "prometheus-rule.yaml")
    with open(operator_path) as f:
        operator = yaml.safe_load(f)
    if operator.get("spec", {}).get("groups") != groups:
        problems.add(os.path.relpath(operator_path, ROOT), "its groups differ from deploy/metrics/hartslag-alerts.yml")
    return len(alerts)


def check_dashboard(problems):
    path = os.path.join(ROOT, "deploy", "metrics", "grafana-dashboard.json")
    where = os.path.relpath(path, ROOT)
    try:
        with open(path) as f:
            dashboard = json.load(f)
    except ValueError as e:
        problems.add(where, f"is not JSON: {e}")
        return 0
    panels = [p for p in dashboard.get("panels", []) if p.get("type") != "row"]
    seen = set()
    ids = set()
    for panel in panels:
        if panel.get("id") in ids:
            problems.add(where, f"panel id {panel.get('id')} twice")
        ids.add(panel.get("id"))
        for target in panel.get("targets", []):
            names = metric_names(target.get("expr", ""))
            seen |= names
            unknown = names - KNOWN_METRICS
            if unknown:
                problems.add(f"{where}: {panel.get('title')}", f"names metrics the services do not serve: "
                                                               f"{sorted(unknown)}")
            codes = unknown_codes(target.get("expr", ""))
            if codes:
                problems.add(f"{where}: {panel.get('title')}", f"grpc_code values no call has: {sorted(codes)}")
    for metric in sorted(COUNTERS_GAUGES | {h + "_bucket" for h in HISTOGRAMS}):
        if metric not in seen:
            problems.add(where, f"no panel shows {metric}")
    return len(panels)


def check_readme(problems):
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    for secret in sorted(OPERATOR_SECRETS):
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(secret), readme):
            problems.add("README.md", f"does not tell the operator to create the Secret {secret}")


# ---------------------------------------------------------------------------
# Self-test: every check must be able to fail.

def mutations():
    """(what, change to the documents, words the resulting problem must contain)."""
    def find(docs, kind, name):
        return next(d for d in docs if d.get("kind") == kind and name_of(d) == name)

    def container(docs, name):
        return find(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]

    def service_selector(docs):
        find(docs, "Service", "hartslag-intake")["spec"]["selector"]["app.kubernetes.io/name"] = "hartslag-intak"

    def readiness(docs):
        del container(docs, "hartslag-cases")["readinessProbe"]

    def liveness_on_database(docs):
        c = container(docs, "hartslag-cases")
        c["livenessProbe"] = copy.deepcopy(c["readinessProbe"])

    def uri(docs):
        find(docs, "Certificate", "hartslag-cases-client")["spec"]["uris"] = ["spiffe://hartslag/service/case"]

    def swapped_client(docs):
        volume = find(docs, "Deployment", "hartslag-intake")["spec"]["template"]["spec"]["volumes"][0]
        for source in volume["projected"]["sources"]:
            if source.get("secret", {}).get("name") == "hartslag-intake-client-tls":
                source["secret"]["name"] = "hartslag-cases-client-tls"

    def secret_name(docs):
        volume = find(docs, "Deployment", "hartslag-audit")["spec"]["template"]["spec"]["volumes"][0]
        for source in volume["projected"]["sources"]:
            if source.get("secret", {}).get("name") == "hartslag-audit-tree-key":
                source["secret"]["name"] = "hartslag-audit-tree"

    def file_path(docs):
        for d in docs:
            if d.get("kind") == "ConfigMap" and "HARTSLAG_INTAKE_TLS_KEY" in d.get("data", {}):
                d["data"]["HARTSLAG_INTAKE_TLS_KEY"] = "/etc/hartslag/keys/server.pem"

    def extra_call(docs):
        # intake never calls cases; both sides allowed, as a careless edit would.
        find(docs, "NetworkPolicy", "hartslag-cases")["spec"]["ingress"][0]["from"].append(
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "hartslag-intake"}}})
        find(docs, "NetworkPolicy", "hartslag-intake")["spec"]["egress"].append(
            {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "hartslag-cases"}}}],
             "ports": [{"protocol": "TCP", "port": 7403}]})

    def missing_call(docs):
        policy = find(docs, "NetworkPolicy", "hartslag-intake")
        policy["spec"]["egress"] = [r for r in policy["spec"]["egress"]
                                    if r["ports"][0]["port"] != 7401]

    def web_database(docs):
        find(docs, "NetworkPolicy", "hartslag-db")["spec"]["ingress"][0]["from"][0]["podSelector"][
            "matchExpressions"][0]["values"].append("hartslag-web")
        find(docs, "NetworkPolicy", "hartslag-web")["spec"]["egress"].append(
            {"to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": "hartslag-db"}}}],
             "ports": [{"protocol": "TCP", "port": 5432}]})

    def metrics_open(docs):
        find(docs, "NetworkPolicy", "hartslag-metrics")["spec"]["ingress"][0]["from"].append(
            {"ipBlock": {"cidr": "0.0.0.0/0"}})

    def policy_selects_nothing(docs):
        find(docs, "NetworkPolicy", "hartslag-cases")["spec"]["podSelector"]["matchLabels"][
            "app.kubernetes.io/name"] = "hartslag-case"

    def security(docs):
        container(docs, "hartslag-web")["securityContext"]["readOnlyRootFilesystem"] = False

    def service_port(docs):
        find(docs, "Service", "hartslag-web")["spec"]["ports"][0]["targetPort"] = "http"

    def schema_type(docs):
        find(docs, "Deployment", "hartslag-directory")["spec"]["replicas"] = "2"

    def audit_replicas(docs):
        find(docs, "Deployment", "hartslag-audit")["spec"]["replicas"] = 2

    def migration_role(docs):
        for d in docs:
            if d.get("kind") == "ConfigMap" and "HARTSLAG_CASES_MIGRATIONS" in d.get("data", {}):
                d["data"]["HARTSLAG_CASES_MIGRATIONS"] = "apply"

    def dns_name(docs):
        find(docs, "Certificate", "hartslag-directory-server")["spec"]["dnsNames"].remove("hartslag-directory")

    def asynchronous(docs):
        del find(docs, "Cluster", "hartslag-db")["spec"]["postgresql"]["synchronous"]

    def read_only_host(docs):
        for d in docs:
            if d.get("kind") == "ConfigMap" and "HARTSLAG_AUDIT_LISTEN" in d.get("data", {}):
                d["data"]["HARTSLAG_AUDIT_DB"] = d["data"]["HARTSLAG_AUDIT_DB"].replace("-rw ", "-ro ")

    def budget(docs):
        find(docs, "PodDisruptionBudget", "hartslag-web")["spec"]["selector"]["matchLabels"][
            "app.kubernetes.io/component"] = "web"

    return [
        ("a Service selector with a typo", service_selector, "matches no Deployment"),
        ("a container without readiness probe", readiness, "readinessProbe is missing"),
        ("a liveness probe that asks the database", liveness_on_database, "restart every pod"),
        ("a client certificate with a wrong URI", uri, "not spiffe://hartslag/service/"),
        ("another service's client certificate", swapped_client, "must carry exactly"),
        ("a Secret nobody makes", secret_name, "made by nobody"),
        ("a file no volume holds", file_path, "which no volume puts there"),
        ("a call the architecture does not make", extra_call, "a call no configuration makes"),
        ("a configured call the policies block", missing_call, "do not allow"),
        ("the web allowed to the database", web_database, "has no database"),
        ("metrics open to the world", metrics_open, "metrics port is reachable from outside"),
        ("a NetworkPolicy that selects nothing", policy_selects_nothing, "selects no pod"),
        ("a writable root file system", security, "readOnlyRootFilesystem"),
        ("a Service port naming no container port", service_port, "does not name"),
        ("a field of the wrong type", schema_type, "expected int"),
        ("two audit sequencers", audit_replicas, "single sequencer"),
        ("pods that migrate themselves", migration_role, "MIGRATIONS must be require"),
        ("a dialled name missing from a certificate", dns_name, "does not name"),
        ("a disruption budget selecting nothing", budget, "selects no Deployment"),
        ("a database without synchronous replication", asynchronous, "synchronous.method is missing"),
        ("a service on the read-only database Service", read_only_host, "not a Cluster's read-write"),
    ]


def self_test(render):
    """Runs the checks on broken copies of `render`; each must bring a new problem."""
    baseline = Problems()
    check_rendering(render, baseline, overlay=False)
    failures = []
    for what, change, expected in mutations():
        documents = copy.deepcopy(render.documents)
        change(documents)
        problems = Problems()
        check_rendering(Render(render.label, documents, render.namespace), problems, overlay=False)
        new = set(problems.items) - set(baseline.items)
        if not any(expected in p for p in new):
            failures.append(f"self-test: {what} went unnoticed (wanted a problem with {expected!r}; "
                            f"got {problems.items[:3]})")
    return len(mutations()), failures


# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kubectl", default=shutil.which("kubectl") or "none",
                        help="kubectl to render with; `none` checks the base's files unrendered")
    parser.add_argument("--bin-dir", help="a build tree with the programs, to check the variables against "
                                          "their flags")
    parser.add_argument("--no-self-test", action="store_true", help="skip breaking copies on purpose")
    args = parser.parse_args()

    problems = Problems()
    check_kustomizations(problems)
    overlays_dir = os.path.join(HERE, "overlays")
    overlays = sorted(os.path.join(overlays_dir, d) for d in os.listdir(overlays_dir)
                      if os.path.isfile(os.path.join(overlays_dir, d, "kustomization.yaml")))
    renders = []
    if args.kubectl != "none" and os.access(args.kubectl, os.X_OK):
        base = Render("base", render(args.kubectl, os.path.join(HERE, "base"), problems), None)
        renders.append((base, False))
        for overlay in overlays:
            documents = render(args.kubectl, overlay, problems)
            namespaces = {d.get("metadata", {}).get("namespace") for d in documents} - {None}
            if len(namespaces) != 1:
                problems.add(os.path.relpath(overlay, ROOT), f"objects in {sorted(namespaces)}: one namespace")
            renders.append((Render(os.path.relpath(overlay, HERE), documents, next(iter(namespaces), None)), True))
        print(f"rendered with {args.kubectl}: base and {len(overlays)} overlay(s)")
    else:
        base = Render("base (unrendered)", read_base_unrendered(os.path.join(HERE, "base"), problems), None)
        renders.append((base, False))
        print("kubectl not found: checked the base's files as they are; the render of the overlays was skipped")
    for r, overlay in renders:
        check_rendering(r, problems, overlay)
        print(f"  {r.label}: {len(r.documents)} objects "
              f"({', '.join(f'{len(v)} {k}' for k, v in sorted(r.by_kind.items()))})")
    if args.bin_dir:
        programs = Programs(args.bin_dir)
        missing = set()
        for r, _ in renders:
            missing |= check_programs(r, programs, problems)
        print(f"  programs in {args.bin_dir}: flags checked"
              + (f"; not built, so skipped: {', '.join(sorted(missing))}" if missing else ""))
    alert_count = check_rules(problems)
    panel_count = check_dashboard(problems)
    check_readme(problems)
    print(f"  deploy/metrics: {alert_count} alert rules, {panel_count} dashboard panels")

    failures = list(problems.items)
    mutation_count = 0
    if not args.no_self_test and renders[0][0].documents:
        mutation_count, self_failures = self_test(renders[0][0])
        failures += self_failures
        print(f"  self-test: {mutation_count - len(self_failures)} of {mutation_count} broken copies caught")
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"deploy/kubernetes: {len(failures)} problem(s)" if failures else "deploy/kubernetes: every check holds")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
