"""Your own account: signing in and out, tokens, who you are, your password."""
