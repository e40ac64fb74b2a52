"""`supatui serve`: the wizard (or the board) in a browser, through textual-serve, offline and behind a token."""
