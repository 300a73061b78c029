"""``python -m api``: the same as the ``api`` console script."""

import sys

from api.cli import main

sys.exit(main())
