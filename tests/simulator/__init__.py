"""Simulated OCP and obshell servers for the collection's tests."""
