"""Widgets of the matrix screen: the grid of outcomes and its legend."""
