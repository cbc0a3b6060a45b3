"""The dev stack (`make dev`): its services and how they start and stop."""
