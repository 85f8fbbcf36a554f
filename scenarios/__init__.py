"""controlroom: scenarios stage."""
