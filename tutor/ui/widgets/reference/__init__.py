"""Widgets of the Reference screen: the codes that have a card, and one card to read."""
