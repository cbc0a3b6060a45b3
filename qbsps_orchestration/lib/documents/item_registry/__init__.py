"""The RSX ItemRegistry (832): the catalog and inventory lines from QBO Items."""
