"""Prints the arguments a script declares with argparse, as JSON, without running the script.

Used by `npm run pipeline -- scaffold`: the script is parsed (ast), never imported, so its
dependencies need not be installed and nothing in it runs. Exit 3 when it is not valid Python.
"""
import ast
import json
import sys
from typing import Any, Optional


def literal(node: Optional[ast.expr]) -> Any:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None


def type_name(node: Optional[ast.expr]) -> Optional[str]:
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return node.id
    return ast.unparse(node)


def arguments(source: str, filename: str) -> list:
    tree = ast.parse(source, filename=filename)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"):
            continue
        flags = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        found.append({
            "flags": flags,
            "dest": literal(kw.get("dest")),
            "type": type_name(kw.get("type")),
            "hasDefault": "default" in kw,
            "default": literal(kw.get("default")),
            "required": bool(literal(kw.get("required"))),
            "action": literal(kw.get("action")),
            "help": literal(kw.get("help")),
            "line": node.lineno,
        })
    found.sort(key=lambda a: a["line"])
    return found


def main() -> int:
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        found = arguments(source, path)
    except SyntaxError as e:
        print(json.dumps({"error": f"line {e.lineno}: {e.msg}"}))
        return 3
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
