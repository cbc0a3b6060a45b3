"""The sandbox company's books: the entity schema, the stored objects, and the rules QBO applies on write."""
