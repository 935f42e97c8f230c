"""Modal screens: help, confirmations, the add-feed prompt."""
