"""The dependency locks: every package pinned with hashes, nothing that points at one machine, the dev
lock installing the same runtime versions, and make installing with hashes required."""

import re

import pytest

from tests.project.test_deploy_settings import PROJECT_ROOT

LOCKS = ["requirements.txt", "requirements-dev.txt"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def requirement_lines(lock: str) -> list[str]:
    """The lock's entries, continuation lines joined, comments dropped."""
    text = (PROJECT_ROOT / lock).read_text().replace("\\\n", " ")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def pins(lock: str) -> dict[str, str]:
    found = {}
    for entry in requirement_lines(lock):
        match = PIN.match(entry.split()[0])
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def top_level_names(source: str) -> set[str]:
    names = set()
    for line in (PROJECT_ROOT / source).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", line)[0]).lower())
    return names


@pytest.mark.parametrize("lock", LOCKS)
def test_every_entry_is_pinned_with_hashes(lock):
    entries = requirement_lines(lock)
    assert len(entries) >= 20
    for entry in entries:
        requirement, *options = entry.split()
        assert PIN.match(requirement), f"{lock}: not an exact pin: {entry[:80]}"
        assert options and all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", option) for option in options), (
            f"{lock}: {requirement} has no hash or something else than hashes"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_the_locks_name_no_index_find_links_or_local_path(lock):
    text = (PROJECT_ROOT / lock).read_text()
    for forbidden in (r"^\s*-[ifce]\b", r"--(extra-)?index-url", r"--find-links", r"--trusted-host", r"://"):
        assert not re.search(forbidden, text, flags=re.MULTILINE), f"{lock} contains {forbidden}"
    assert not re.search(r"(^|\s)(/|~/|\.\./)\S", text.replace("# via", "")), f"{lock} names a local path"


def test_the_dev_lock_installs_the_same_runtime_versions():
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime


@pytest.mark.parametrize(("source", "lock"), [("requirements.in", LOCKS[0]), ("requirements-dev.in", LOCKS[1])])
def test_every_top_level_dependency_is_in_its_lock(source, lock):
    assert top_level_names(source) <= set(pins(lock))


def test_make_installs_with_hashes_required():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if re.search(r"pip install .*-r ", line)]
    assert len(installs) == 2
    assert all("--require-hashes" in line for line in installs)
