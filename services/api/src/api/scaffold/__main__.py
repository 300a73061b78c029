"""``python -m api.scaffold NAME``: the same as ``api new-context NAME``."""

import sys

from api.scaffold.cli import main

sys.exit(main())
