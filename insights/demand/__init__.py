"""Topic demand: the employees' demand board and HR's ranked list of demand signals."""
