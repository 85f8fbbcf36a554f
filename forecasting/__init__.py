"""controlroom: forecasting stage."""
