"""Pure mapping rules between RSX documents and QBO entities. No I/O."""
