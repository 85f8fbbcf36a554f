"""controlroom: simulation stage."""
