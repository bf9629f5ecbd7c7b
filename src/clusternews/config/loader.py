"""Reads feeds.yaml (YAML 1.2) and reports every mistake as `file:line: key: what was expected`."""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from clusternews.config.schema import Config

Loc = tuple[str | int, ...]
# Answers "is this a region name the knowledge base knows?" for the region checks.
RegionCheck = Callable[[str, str | None], bool]
# pydantic's type errors, said the way the contract asks: what was expected, what was found.
EXPECTED = {
    "string_type": "text",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "model_attributes_type": "a mapping",
    "literal_error": None,
}
SECRET_KEYS = {"password", "pass", "token", "secret", "api_key"}


class ConfigError(Exception):
    """Every problem found in one config file, one `file:line: key: message` per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def load_config(path: Path, *, region_known: RegionCheck | None = None) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return parse_config(text, name=str(path), region_known=region_known)


def parse_config(
    text: str, *, name: str = "feeds.yaml", region_known: RegionCheck | None = None
) -> Config:
    # ruamel's round-trip loader follows YAML 1.2: `no` and `NO` stay strings, not booleans.
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ConfigError([f"{name}:{line}: YAML syntax error: {exc.problem or exc}"]) from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise ConfigError([f"{name}:1: expected a mapping with clusters, digests, smtp"])
    problems = _secret_keys(data, name)
    try:
        config = Config.model_validate(_plain(data))
    except ValidationError as exc:
        problems += [
            _describe(err, data, name)
            for err in exc.errors()
            if not (err["type"] == "extra_forbidden" and str(err["loc"][-1]).lower() in SECRET_KEYS)
        ]
        raise ConfigError(problems) from None
    problems += _semantic(config, data, name, region_known)
    if problems:
        raise ConfigError(problems)
    return config


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _line(data: Any, loc: Loc) -> int:
    """1-based line of the deepest node of `loc` that exists in the document."""
    node, line = data, 1
    for key in loc:
        try:
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line = node.lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        except (KeyError, TypeError, AttributeError):
            break
    return line


def _path(loc: Iterable[str | int]) -> str:
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "(top level)"


def _expected_keys(loc: Loc) -> list[str]:
    """The keys the model at `loc` accepts, found by walking the pydantic model types."""
    model: Any = Config
    for key in loc:
        if isinstance(key, int):
            continue
        field = model.model_fields.get(key) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        model = field.annotation
        while typing.get_args(model) and not (
            isinstance(model, type) and issubclass(model, BaseModel)
        ):
            model = next(
                (
                    a
                    for a in typing.get_args(model)
                    if isinstance(a, type) and issubclass(a, BaseModel)
                ),
                typing.get_args(model)[0],
            )
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or n for n, f in model.model_fields.items()]
    return []


def _describe(err: Any, data: Any, name: str) -> str:
    loc: Loc = tuple(k for k in err["loc"] if not (isinstance(k, str) and "[" in k))
    line = _line(data, loc)
    if err["type"] == "extra_forbidden":
        parent, key = loc[:-1], loc[-1]
        keys = _expected_keys(parent)
        hint = f" (expected {_or(keys)})" if keys else ""
        return f"{name}:{line}: {_path(parent)}: unknown key {key!r}{hint}"
    if err["type"] == "missing":
        return f"{name}:{line}: {_path(loc[:-1])}: missing key {loc[-1]!r}"
    expected = EXPECTED.get(err["type"])
    if expected:
        msg = f"expected {expected}, got {_kind(err.get('input'))} {err.get('input')!r}"
    else:
        msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{name}:{line}: {_path(loc)}: {msg}"


def _kind(value: Any) -> str:
    return {
        str: "text",
        int: "number",
        float: "number",
        bool: "boolean",
        list: "list",
        dict: "mapping",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _or(keys: list[str]) -> str:
    keys = [k for k in keys if k not in ("links", "interval")] if "feed" in keys else keys
    return ", ".join(keys[:-1]) + f" or {keys[-1]}" if len(keys) > 1 else "".join(keys)


def _secret_keys(data: Any, name: str, loc: Loc = ()) -> list[str]:
    found = []
    if isinstance(data, CommentedMap):
        for key, value in data.items():
            if str(key).lower() in SECRET_KEYS:
                found.append(
                    f"{name}:{_line(data, (key,))}: {_path(loc)}: {key!r} is a secret "
                    "and never lives in this file (use CLUSTERNEWS_SMTP_PASSWORD)"
                )
            found += _secret_keys(value, name, (*loc, key))
    elif isinstance(data, CommentedSeq):
        for i, value in enumerate(data):
            found += _secret_keys(value, name, (*loc, i))
    return found


def _semantic(config: Config, data: Any, name: str, region_known: RegionCheck | None) -> list[str]:
    problems = []
    groups: tuple[tuple[str, list[Any]], ...] = (
        ("clusters", config.clusters),
        ("digests", config.digests),
    )
    for group, items in groups:
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                line = _line(data, (group, i, "id"))
                problems.append(
                    f"{name}:{line}: {group}[{i}].id: duplicate id {item.id!r} "
                    f"(first used at {group}[{first[item.id]}])"
                )
            first.setdefault(item.id, i)
    if region_known is not None:
        for i, cluster in enumerate(config.clusters):
            if cluster.region and not region_known(cluster.region, cluster.country):
                problems.append(
                    f"{name}:{_line(data, ('clusters', i, 'region'))}: "
                    f"clusters[{i}].region: unknown region name {cluster.region!r} "
                    "(expected a county, län, municipality or town the knowledge "
                    "base knows)"
                )
        for i, digest in enumerate(config.digests):
            for j, region in enumerate(digest.filters.regions):
                if not region_known(region, None):
                    loc: Loc = ("digests", i, "filters", "regions", j)
                    problems.append(
                        f"{name}:{_line(data, loc)}: {_path(loc)}: unknown region name {region!r}"
                    )
    return problems
