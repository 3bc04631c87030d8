#!/usr/bin/env python3
"""Turns one version of a CustomResourceDefinition into a strict JSON Schema.

    crd-to-json-schema.py CRD.yaml VERSION > KIND-VERSION.json

The schema is the CRD's openAPIV3Schema with its descriptions and its
x-kubernetes-* annotations removed (to keep the file small), apiVersion and
kind fixed to the CRD's, and, as kubernetes-validate's strict schemas do,
no properties beyond the declared ones in any object that declares some
(unless the CRD lets that object keep unknown fields). The CRD's CEL rules
(x-kubernetes-validations) are not kept: a JSON Schema validator cannot run
them, so only the API server checks those.
"""
import json
import sys

import yaml


def strict(node):
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    keeps_unknown = node.get("x-kubernetes-preserve-unknown-fields") is True
    out = {}
    for key, value in node.items():
        if key == "description" or key.startswith("x-kubernetes-"):
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: strict(sub) for name, sub in value.items()}
        else:
            out[key] = strict(value)
    if "properties" in out and "additionalProperties" not in out and not keeps_unknown:
        out["additionalProperties"] = False
    return out


def main(path, version):
    with open(path) as handle:
        crd = yaml.safe_load(handle)
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    (entry,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    schema = strict(entry["schema"]["openAPIV3Schema"])
    schema["properties"]["apiVersion"] = {"const": f"{group}/{version}"}
    schema["properties"]["kind"] = {"const": kind}
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "title": f"{kind} {group}/{version}", **schema}
    json.dump(schema, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
