"""The RSX Invoice (810) from a QBO Invoice: the builder, its payment terms and its checks."""
