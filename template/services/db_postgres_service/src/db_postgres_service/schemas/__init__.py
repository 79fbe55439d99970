"""JSON records the data service accepts and returns: the contract the business API reads."""
