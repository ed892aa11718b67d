"""`attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes a response carries.

Applied to a resource's JSON after it is built. `id`, `schemas` and `meta`
(returned "always", RFC 7643 §7) are always kept. Names are case-insensitive,
may name a sub-attribute (`name.givenName`) and may be qualified with a schema
URN (`urn:…:enterprise:2.0:User:department`, or the bare extension URN for the
whole extension). A name the resource does not have is ignored, as RFC 7644
§3.4.2.5 allows ("SHOULD ignore").
"""

from collections.abc import Iterable

ALWAYS_RETURNED = frozenset({"id", "schemas", "meta"})


def _target(name: str, resource: dict, core_schema: str) -> tuple[str | None, str, str | None] | None:
    """(extension key or None for the core schema, attribute, sub-attribute) for a name; None if unknown."""
    lowered = name.lower()
    extensions = {key.lower(): key for key in resource if key.lower().startswith("urn:")}
    if lowered in extensions:
        return extensions[lowered], "", None  # the whole extension object
    container = None
    if lowered.startswith("urn:"):
        uri, _, name = name.rpartition(":")
        if uri.lower() in extensions:
            container = extensions[uri.lower()]
        elif uri.lower() != core_schema.lower():
            return None
    attr, _, sub_attr = name.partition(".")
    return container, attr, sub_attr or None


def _key(mapping: dict, name: str) -> str | None:
    """The key of `mapping` that `name` names, case-insensitively."""
    lowered = name.lower()
    return next((key for key in mapping if key.lower() == lowered), None)


def _sync_schemas(resource: dict) -> dict:
    """Keep an extension URN in `schemas` only while its object is in the resource."""
    schemas = resource.get("schemas")
    if isinstance(schemas, list) and schemas:
        resource["schemas"] = [schemas[0], *(urn for urn in schemas[1:] if urn in resource)]
    return resource


def project(resource: dict, *, attributes: Iterable[str] = (), excluded: Iterable[str] = (), core_schema: str) -> dict:
    """`resource` with only the `attributes` asked for (plus the always-returned ones), minus `excluded`."""
    attributes, excluded = list(attributes), list(excluded)
    if not attributes and not excluded:
        return resource
    if attributes:
        kept: dict = {key: value for key, value in resource.items() if key.lower() in ALWAYS_RETURNED}
        for name in attributes:
            target = _target(name, resource, core_schema)
            if target is None:
                continue
            container, attr, sub_attr = target
            source = resource if container is None else resource.get(container, {})
            destination = kept if container is None else kept.setdefault(container, {})
            if container is not None and not attr:
                kept[container] = resource[container]
                continue
            key = _key(source, attr)
            if key is None:
                continue
            value = source[key]
            if sub_attr is None or not isinstance(value, dict | list):
                destination[key] = value
            elif isinstance(value, dict):
                sub_key = _key(value, sub_attr)
                if sub_key is not None:
                    destination.setdefault(key, {})[sub_key] = value[sub_key]
            else:  # a multi-valued complex attribute: keep the sub-attribute of each value
                destination[key] = [
                    {k: v for k, v in item.items() if k.lower() == sub_attr.lower()}
                    for item in value
                    if isinstance(item, dict)
                ]
        resource = {key: value for key, value in kept.items() if value != {}}
    else:
        resource = dict(resource)
    for name in excluded:
        target = _target(name, resource, core_schema)
        if target is None:
            continue
        container, attr, sub_attr = target
        if container is not None and not attr:
            resource.pop(container, None)
            continue
        source = resource if container is None else resource.get(container)
        if not isinstance(source, dict):
            continue
        key = _key(source, attr)
        if key is None or (container is None and key.lower() in ALWAYS_RETURNED):
            continue
        if sub_attr is None:
            source = dict(source)
            del source[key]
        else:
            value = source[key]
            source = dict(source)
            if isinstance(value, dict):
                source[key] = {k: v for k, v in value.items() if k.lower() != sub_attr.lower()}
            elif isinstance(value, list):
                source[key] = [
                    {k: v for k, v in item.items() if k.lower() != sub_attr.lower()} if isinstance(item, dict) else item
                    for item in value
                ]
        if container is None:
            resource = source
        else:
            resource[container] = source
    return _sync_schemas(resource)
