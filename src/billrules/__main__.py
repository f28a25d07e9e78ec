"""``python -m billrules``: the ``billrules`` command (with no arguments, explain the example)."""

from billrules.cli import main

if __name__ == "__main__":  # pragma: no cover - runs as a program; tests/test_cli.py runs it so
    raise SystemExit(main())
