"""Generators and measurements: synthetic registrations, matching-quality variants."""
