"""Report formats: findings -> text a person or a CI system reads (placeholder until the registry lands)."""
