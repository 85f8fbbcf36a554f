"""controlroom: scheduling stage."""
