"""Development tools of the workspace (not shipped in any member)."""
