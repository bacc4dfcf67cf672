#!/usr/bin/env python3
"""One door for every change: no file under src/api/ or src/pages/ may call
a function of src/store/ that writes. Changes go through src/workflows/.

A store function "writes" when its body inserts, updates or deletes rows
(diesel's insert_into/update/delete, or raw INSERT/UPDATE/DELETE SQL), or
calls another store function that writes. The check resolves the store
modules a shell file imports (`use crate::store::bookings as store`,
`use crate::store::{groups, users}`, `crate::store::x::f(...)`, and
`store::x::f(...)` after `use crate::store;`) and flags
every call of a writing function through them.

Usage: .ci/one-door.py [repo root]; exit 1 and a list when a door is open.
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
store_dir = os.path.join(root, "src", "store")

WRITE = re.compile(
    r"insert_into\s*\(|diesel::update\s*\(|diesel::delete\s*\(|\bupdate\s*\(\s*[a-z_:]+::table|"
    r"\bdelete\s*\(\s*[a-z_:]+::table|\"\s*(INSERT|UPDATE|DELETE)\b|replace_into\s*\(",
    re.IGNORECASE,
)
FN = re.compile(r"^pub(?:\([a-z]+\))? fn ([a-z_0-9]+)", re.M)
ANY_FN = re.compile(r"^(?:pub(?:\([a-z]+\))? )?fn ([a-z_0-9]+)", re.M)


def strip_comments(text):
    return re.sub(r"//[^\n]*", "", text)


def bodies(path):
    """Top-level functions of a file: name -> body text (to the next item)."""
    text = strip_comments(open(path, encoding="utf-8").read())
    # Test modules are not part of the store's surface.
    text = text.split("#[cfg(test)]")[0]
    starts = [(m.start(), m.group(1)) for m in ANY_FN.finditer(text)]
    out = {}
    for i, (pos, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out[name] = text[pos:end]
    return out


modules = {}
for name in sorted(os.listdir(store_dir)):
    if name.endswith(".rs") and name != "mod.rs":
        modules[name[:-3]] = bodies(os.path.join(store_dir, name))

writes = {m: {f for f, b in fns.items() if WRITE.search(b)} for m, fns in modules.items()}
# A function that calls a writing function writes too (to a fixed point).
changed = True
while changed:
    changed = False
    for m, fns in modules.items():
        for f, body in fns.items():
            if f in writes[m]:
                continue
            called_here = any(re.search(r"(?<![:\w])" + w + r"\s*\(", body) for w in writes[m])
            called_there = any(
                re.search(r"\b" + om + r"::" + w + r"\s*\(", body)
                for om in writes
                for w in writes[om]
            )
            if called_here or called_there:
                writes[m].add(f)
                changed = True

USE_BLOCK = re.compile(r"use crate::store::(\{[^;]*\}|[^;]*);", re.S)


def aliases(text):
    """alias -> store module, and imported function -> (module, fn)."""
    mods, fns = {}, {}
    for m in USE_BLOCK.finditer(text):
        spec = m.group(1).strip()
        entries = []
        if spec.startswith("{"):
            entries = [e.strip() for e in re.split(r",(?![^{]*\})", spec[1:-1]) if e.strip()]
        else:
            entries = [spec]
        for e in entries:
            head, _, rest = e.partition("::")
            head = head.strip()
            if not rest:
                name, _, alias = head.partition(" as ")
                mods[(alias or name).strip()] = name.strip()
                continue
            rest = rest.strip()
            items = [x.strip() for x in rest.strip("{}").split(",") if x.strip()] if rest.startswith("{") else [rest]
            for it in items:
                name, _, alias = it.partition(" as ")
                name, alias = name.strip(), (alias or name).strip()
                if name == "self":
                    mods[alias if alias != "self" else head] = head
                else:
                    fns[alias] = (head, name)
    return mods, fns


problems = []
for shell in ("api", "pages"):
    base = os.path.join(root, "src", shell)
    if not os.path.isdir(base):
        continue
    for dirpath, _, files in os.walk(base):
        for f in sorted(files):
            if not f.endswith(".rs"):
                continue
            path = os.path.join(dirpath, f)
            raw = open(path, encoding="utf-8").read()
            text = strip_comments(raw)
            mods, fns = aliases(text)
            store_path = r"crate::store::([a-z_]+)::([a-z_0-9]+)\s*\("
            if re.search(r"^\s*use crate::store;", text, re.M):
                store_path = r"(?<![\w])(?:crate::)?store::([a-z_]+)::([a-z_0-9]+)\s*\("
            for lineno, line in enumerate(text.splitlines(), 1):
                for alias, module in mods.items():
                    for w in writes.get(module, ()):
                        if re.search(r"(?<![\w:])" + re.escape(alias) + r"::" + w + r"\s*\(", line):
                            problems.append(f"{os.path.relpath(path, root)}:{lineno}: store::{module}::{w} writes")
                # `crate::store::x::f(...)`, or `store::x::f(...)` after `use crate::store;`.
                for m in re.finditer(store_path, line):
                    if m.group(2) in writes.get(m.group(1), ()):
                        problems.append(f"{os.path.relpath(path, root)}:{lineno}: store::{m.group(1)}::{m.group(2)} writes")
                for alias, (module, name) in fns.items():
                    if name in writes.get(module, ()) and re.search(r"(?<![\w:])" + alias + r"\s*\(", line):
                        problems.append(f"{os.path.relpath(path, root)}:{lineno}: store::{module}::{name} writes")

total = sum(len(v) for v in writes.values())
if problems:
    print("One door: these handlers and pages write through the store; call a workflow instead:")
    for p in sorted(set(problems)):
        print("  " + p)
    sys.exit(1)
print(f"one door: src/api and src/pages call none of the store's {total} writing functions")
