"""``uv run --group bench python -m bench --db sqlite|postgresql``."""

from bench.run import main

raise SystemExit(main())
