"""Watch lists: entries matched in reverse against the registry's change stream; alerts."""
