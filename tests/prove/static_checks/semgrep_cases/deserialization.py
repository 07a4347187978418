# ruff: noqa
# Cases for agentic_action/prove/semgrep_rules/deserialization.yaml.
import json
import marshal
import pickle
import shelve

import yaml
from yaml import SafeLoader


def load(blob, stream, path):
    # ruleid: unsafe-deserialization
    a = pickle.loads(blob)
    # ruleid: unsafe-deserialization
    b = pickle.load(stream)
    # ruleid: unsafe-deserialization
    c = marshal.loads(blob)
    # ruleid: unsafe-deserialization
    d = shelve.open(path)
    # ok: unsafe-deserialization
    e = pickle.dumps(a)
    # ok: unsafe-deserialization
    f = json.loads(blob)
    return a, b, c, d, e, f


def parse(text):
    # ruleid: yaml-unsafe-load
    a = yaml.load(text)
    # ruleid: yaml-unsafe-load
    b = yaml.load(text, Loader=yaml.Loader)
    # ruleid: yaml-unsafe-load
    c = yaml.unsafe_load(text)
    # ruleid: yaml-unsafe-load
    d = yaml.full_load(text)
    # ok: yaml-unsafe-load
    e = yaml.safe_load(text)
    # ok: yaml-unsafe-load
    f = yaml.load(text, Loader=yaml.SafeLoader)
    # ok: yaml-unsafe-load
    g = yaml.load(text, Loader=SafeLoader)
    # ok: yaml-unsafe-load
    h = yaml.load(text, yaml.CSafeLoader)
    return a, b, c, d, e, f, g, h
