"""The package layers (pyproject.toml, [tool.importlinter]): core imports no domain, auth only
core, credits neither backlink nor worker, backlink not worker, backlink and shortener not each
other, shortener not redirect. Checked by import-linter over the real package, and shown to
fail on a copy of it with one forbidden import planted. And short functions and modules."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_its_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 kept, 0 broken" in result.stdout


def test_a_planted_forbidden_import_breaks_its_contract(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    pyc = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "likepion", tmp_path / "likepion", ignore=pyc)
    planted = tmp_path / "likepion" / "shortener" / "links.py"
    planted.write_text(planted.read_text() + "\nfrom likepion.redirect import resolve  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "shortener does not import redirect BROKEN" in result.stdout
    assert "likepion.shortener.links -> likepion.redirect.resolve" in result.stdout


def test_functions_and_modules_stay_short():
    """No function in likepion/ over 40 lines, no module over 350 (issue 14)."""
    too_long = []
    for path in sorted((ROOT / "likepion").rglob("*.py")):
        source = path.read_text()
        name = path.relative_to(ROOT)
        if source.count("\n") > 350:
            too_long.append(f"{name}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 40:
                    too_long.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert too_long == []
