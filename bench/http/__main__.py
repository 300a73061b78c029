"""``uv run --group bench python -m bench.http --db sqlite|postgresql``."""

from bench.http.run import main

raise SystemExit(main())
