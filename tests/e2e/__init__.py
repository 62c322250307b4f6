"""Tests that start the dashboard server and drive it like a user."""
