"""Public figures (SPEC §7.4, §8): what anyone may read about a public project without
signing in, the comparison across projects, policies and cities, and the suppression of
small cells that keeps workers from being picked out."""
