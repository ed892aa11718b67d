"""The README and .env.example tell the truth about the repository: every variable the settings read is
documented in both, and every file they name exists."""

import ast
import os
import re

from tests.project.test_deploy_settings import PROJECT_ROOT

SETTINGS = PROJECT_ROOT / "braze_scim" / "settings.py"
DOCUMENTS = ["README.md", ".env.example", *(f"docs/{path.name}" for path in (PROJECT_ROOT / "docs").glob("*.md"))]
FILE_NAME = re.compile(r"(?<![\w/.:-])((?:[\w-]+/)*[\w-]+(?:\.[\w-]+)*\.(?:md|py|txt|in|toml|cfg|json|js|html|sh))\b")


def _string_argument(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def variables_the_settings_read() -> set[str]:
    """Names passed to `env(...)`, `env.<cast>(...)`, `os.environ.get(...)`, `os.getenv(...)`, `os.environ[...]`."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if isinstance(node, ast.Call):
            source = ast.unparse(node.func)
            if source == "env" or re.fullmatch(r"env\.\w+|os\.environ\.get|os\.getenv", source):
                name = _string_argument(node)
                if name and name.isupper():
                    names.add(name)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def readme_configuration_table() -> set[str]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def env_example_variables() -> set[str]:
    text = (PROJECT_ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_the_settings_are_found():
    # The parser must see the settings' reads, or the checks below would pass on nothing.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_HSTS_SECONDS", "DJANGO_LOG_LEVEL"} <= (
        variables_the_settings_read()
    )


def test_the_readme_configuration_table_lists_every_variable_the_settings_read():
    read = variables_the_settings_read()
    documented = readme_configuration_table()
    assert sorted(read - documented) == [], "add them to the README's Configuration table"
    assert sorted(documented - read) == [], "the README documents variables the settings do not read"


def test_env_example_lists_every_variable_the_settings_read():
    read = variables_the_settings_read()
    listed = env_example_variables()
    assert sorted(read - listed) == [], "add them to .env.example"
    assert sorted(listed - read) == [], ".env.example lists variables the settings do not read"


def repository_files() -> set[str]:
    files = set()
    for directory, subdirectories, names in os.walk(PROJECT_ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in {".git", ".venv", "__pycache__"}]
        relative = os.path.relpath(directory, PROJECT_ROOT)
        files.update(os.path.normpath(os.path.join(relative, name)) for name in names)
    return files


def test_the_documents_name_no_file_that_is_not_in_the_repository():
    files = repository_files()
    missing = set()
    for document in DOCUMENTS:
        for name in FILE_NAME.findall((PROJECT_ROOT / document).read_text()):
            # A bare or partial name ("settings.py", "scim_api/openapi.py") matches the end of a path.
            if not any(path == name or path.endswith("/" + name) for path in files):
                missing.add(f"{document}: {name}")
    assert sorted(missing) == []
