"""Test support shared by the suites: a scripted WS-Man server and Windows-like reply builders."""
