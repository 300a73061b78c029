"""Entity tags from an aggregate's version, and conditional-request headers.

Tags are strong (``"3"``): ``If-Match`` uses strong comparison (RFC 9110
13.1.1), so a weak tag could never match. ``If-Match`` is optional; ``*`` or
absent means "no check"; anything but one tag as sent by this API is a
client bug and gets 400 rather than a misleading 412. A stale tag reaches the
use case as ``expected_version`` and comes back as ``VersionMismatch``: 412.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header, HTTPException, status

_STRONG_TAG = re.compile(r'"(\d{1,18})"')


def etag(version: int) -> str:
    return f'"{version}"'


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description='ETag of the version you change, e.g. `"3"`'),
    ] = None,
) -> int | None:
    """FastAPI dependency: the version the client last saw, or ``None``
    (``async`` so that FastAPI does not run it in a worker thread)."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _STRONG_TAG.fullmatch(if_match.strip())
    if match is None:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            detail='If-Match must be "*" or one ETag as sent by this API, e.g. "3"',
        )
    return int(match.group(1))


def matches_if_none_match(header: str | None, version: int) -> bool:
    """Weak comparison, as RFC 9110 13.1.2 asks for ``If-None-Match``."""
    if header is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag(version) in tags
