"""Tests of regionsim."""
