"""Sources: the YAML files staff and local groups write, read strictly into the content model."""
