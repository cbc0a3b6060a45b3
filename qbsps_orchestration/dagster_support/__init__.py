"""What the Dagster definitions share: names (pools, groups, tags), run requests, metadata, lineage
tags, batch failures. Speaks Dagster, holds no definitions (defs/ autoloads only definitions)."""
