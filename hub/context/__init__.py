"""The context graph of the household and views of it."""
